/**
 * Registry connections: a workspace's credentials for an OCI registry, which Helm package sources pull
 * charts with (docs/packages.md). The credentials are write-only: sealed with the server's env key and
 * the connection id before they are stored (src/lib/seal.ts), never returned, never logged. A workspace
 * has one connection per registry address, so a pull knows which credential to present; `oauth`
 * connections are refused, because Atoll speaks only basic and bearer-token auth to a registry.
 */
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../db/errors.ts';
import { newId } from '../../db/ids.ts';
import type { DB } from '../../db/schema.ts';
import type { Caller } from '../../http/context.ts';
import { conflict, failedPrecondition, invalid, notFound } from '../../http/errors.ts';
import { toPage, type Page, type PageRequest } from '../../http/pagination.ts';
import { openValues, sealValues } from '../../lib/seal.ts';
import { toRegistryCredential } from './resources.ts';
import type { CreateRegistryCredentialBody, RegistryCredential } from './schemas.ts';
import * as store from './store.ts';
import type { RegistryAuthType } from './tables.ts';

export type RegistryConnectionService = ReturnType<typeof createRegistryConnectionService>;

/** What a pull presents to a registry (charts/oci.ts). */
export type RegistryCredentials =
  { type: 'basic'; username: string; password: string } | { type: 'token'; token: string };

/** Which credential fields each scheme takes; every one of them is required. */
const FIELDS: Record<RegistryAuthType, readonly string[]> = {
  basic: ['username', 'password'],
  token: ['token'],
};

export function createRegistryConnectionService({ db, envKey }: { db: Kysely<DB>; envKey: Buffer }) {
  return {
    async list(workspaceId: string, page: PageRequest): Promise<Page<RegistryCredential>> {
      return toPage(await store.listConnections(db, workspaceId, page), page, toRegistryCredential);
    },

    async create(
      workspaceId: string,
      caller: Caller,
      body: CreateRegistryCredentialBody,
    ): Promise<RegistryCredential> {
      const registryUrl = normalizeRegistryUrl(body.registry_url);
      const type = authType(body.type);
      const credentials = checkCredentials(type, body.credentials);
      const id = newId('rgc');
      try {
        const row = await store.insertConnection(db, {
          workspace_id: workspaceId,
          id,
          name: body.name,
          registry_url: registryUrl,
          type,
          credentials: JSON.stringify(sealValues(envKey, id, credentials)),
          created_by: caller.subject,
        });
        return toRegistryCredential(row);
      } catch (error) {
        if (isUniqueViolation(error, 'registry_connections_url'))
          throw conflict(`this workspace already has a connection for registry ${registryUrl}`, [
            'body',
            'registry_url',
          ]);
        throw error;
      }
    },

    /**
     * The credentials for a repository of a registry: those of the workspace's connection whose address
     * is the longest prefix of `host/repository` (path segment by segment), or undefined when none is.
     * Records the connection's use.
     */
    async credentialsFor(
      workspaceId: string,
      host: string,
      repository: string,
    ): Promise<RegistryCredentials | undefined> {
      const target = `${host}/${repository}`;
      const match = (await store.connectionsForHost(db, workspaceId, host))
        .filter((c) => target === c.registry_url || target.startsWith(`${c.registry_url}/`))
        .sort((a, b) => b.registry_url.length - a.registry_url.length)[0];
      if (!match) return undefined;
      const values = openValues(envKey, match.id, match.credentials);
      if (!values) {
        throw failedPrecondition(
          `the credentials of registry connection ${match.id} (${match.registry_url}) cannot be opened: they were sealed under another env key (ATOLL_ENV_KEY); delete the connection and create it again`,
        );
      }
      await store.markConnectionUsed(db, workspaceId, match.id);
      return match.type === 'basic'
        ? { type: 'basic', username: values.username ?? '', password: values.password ?? '' }
        : { type: 'token', token: values.token ?? '' };
    },

    async delete(workspaceId: string, id: string): Promise<void> {
      if (!(await store.deleteConnection(db, workspaceId, id))) throw notFound('registry connection', id);
    },
  };
}

function authType(type: CreateRegistryCredentialBody['type']): RegistryAuthType {
  if (type === 'oauth')
    throw invalid(
      'type',
      'oauth registry credentials are not supported: Atoll authenticates to a registry with basic (username and password) or token credentials',
    );
  return type;
}

/** The credentials the scheme takes, all present and no others (nothing a user sent is dropped). */
function checkCredentials(
  type: RegistryAuthType,
  credentials: CreateRegistryCredentialBody['credentials'],
): Record<string, string> {
  const wanted = FIELDS[type];
  const given = credentials as Record<string, string | undefined>;
  for (const [field, value] of Object.entries(given)) {
    if (value !== undefined && !wanted.includes(field))
      throw invalid(['body', 'credentials', field], `${field} does not belong to ${type} credentials`);
  }
  const out: Record<string, string> = {};
  for (const field of wanted) {
    const value = given[field];
    if (value === undefined)
      throw invalid(['body', 'credentials', field], `${type} credentials need ${wanted.join(' and ')}`);
    out[field] = value;
  }
  return out;
}

/**
 * The registry address as stored and matched: host[:port][/path] with the host in lower case, without
 * a scheme (`oci://`, `https://`, `http://` are accepted and dropped) or a trailing slash. 422 naming
 * body.registry_url for anything else (credentials, a query, a fragment, no host).
 */
export function normalizeRegistryUrl(raw: string): string {
  const fail = (why: string) =>
    invalid('registry_url', `registry_url ${JSON.stringify(raw)} is not a registry address: ${why}`);
  const rest = raw.trim().replace(/^(oci|https?):\/\//i, '');
  if (rest === '' || /^[a-z][a-z0-9+.-]*:\/\//i.test(rest)) throw fail('use host[:port][/path]');
  let url: URL;
  try {
    url = new URL(`https://${rest}`);
  } catch {
    throw fail('use host[:port][/path]');
  }
  if (url.username || url.password) throw fail('put credentials in `credentials`, not in the address');
  if (url.search || url.hash || rest.includes('?') || rest.includes('#'))
    throw fail('a query or fragment is not part of it');
  if (!url.hostname) throw fail('it has no host');
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.host}${path}`;
}
