/**
 * Authenticating one pull to an OCI registry, after it answered 401: the `WWW-Authenticate` challenge
 * says how. `Basic` → the connection's username and password. `Bearer realm=…,service=…,scope=…` (the
 * Docker token protocol, used by Docker Hub, GHCR, Harbor, GitLab, …) → a token from the realm for that
 * service and scope, asked for with the connection's username and password, or anonymously without a
 * connection (public repositories on most registries).
 *
 * A `token` credential (no username) is first sent as the bearer token itself, which registries that
 * issue long-lived registry tokens accept; if the registry refuses it, it is exchanged at the realm as
 * the password of basic auth with the username `oauth2accesstoken` (what Google Artifact Registry
 * requires for an access token; GHCR accepts any username with a personal access token). A `Basic`
 * challenge cannot be met with a token alone: the error says to use a basic connection.
 *
 * Each step is tried at most once per pull; tokens are not cached across pulls. Credentials are sent
 * to the registry's origin and to its realm only — a realm over plain HTTP gets them only if it is a
 * loopback host or listed in ATOLL_OCI_PLAIN_HTTP — and never appear in a message.
 */
import { OciError } from './oci-error.ts';
import { isLoopbackHost } from './reference.ts';
import { discard, get, readCapped, type Deadline } from './registry-http.ts';

/** Credentials of a registry connection, decrypted. */
export type OciCredentials =
  { type: 'basic'; username: string; password: string } | { type: 'token'; token: string };

/** The username a token credential is exchanged with at a token realm. */
export const TOKEN_USERNAME = 'oauth2accesstoken';
const MAX_TOKEN_RESPONSE = 64 * 1024;

export type Challenge = { scheme: string; params: Record<string, string> };

/**
 * The challenges of a `WWW-Authenticate` header (RFC 9110 §11.6.1): `Bearer realm="…",scope="…"`,
 * several separated by commas. Scheme names are lower-cased; quoted values unescaped.
 */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;
  let rest = header.trim();
  let current: Challenge | undefined;
  while (rest.length > 0) {
    rest = rest.replace(/^[\s,]+/, '');
    const name = token.exec(rest)?.[0];
    if (!name) break;
    const afterName = rest.slice(name.length);
    const param = /^\s*=\s*/.exec(afterName);
    if (param && current) {
      // name=value or name="quoted value"
      let value: string;
      let remaining = afterName.slice(param[0].length);
      if (remaining.startsWith('"')) {
        const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(remaining);
        if (!quoted) break;
        value = quoted[1]!.replace(/\\(.)/g, '$1');
        remaining = remaining.slice(quoted[0].length);
      } else {
        value = token.exec(remaining)?.[0] ?? '';
        remaining = remaining.slice(value.length);
      }
      current.params[name.toLowerCase()] = value;
      rest = remaining;
      continue;
    }
    // A new challenge; a token68 (e.g. `Basic abc==`) after it is skipped.
    current = { scheme: name.toLowerCase(), params: {} };
    challenges.push(current);
    rest = afterName.replace(/^\s+[A-Za-z0-9._~+/-]+=*\s*(?=,|$)/, '');
  }
  return challenges;
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

export type AuthState = {
  registry: string;
  repository: string;
  display: string;
  credentials: OciCredentials | undefined;
  plainHttp: ReadonlySet<string>;
  /** The Authorization header for the registry's origin, once known. */
  authorization: string | undefined;
  /** Steps already taken in this pull (each at most once). */
  tried: Set<'basic' | 'anonymous_token' | 'token' | 'direct' | 'exchange'>;
};

function missingCredentials(state: AuthState): OciError {
  return new OciError(
    'unauthorized',
    `registry ${state.registry} requires authentication to pull ${state.display}: create a registry connection for ${state.registry} (POST /v1/registry_connections) with credentials that may pull it`,
  );
}

function refused(state: AuthState): OciError {
  return new OciError(
    'unauthorized',
    `registry ${state.registry} refused the credentials of its registry connection for ${state.display}: check the connection's ${state.credentials?.type === 'token' ? 'token' : 'username and password'}, or replace the connection (POST /v1/registry_connections)`,
  );
}

/**
 * Sets `state.authorization` for the next attempt after a 401 carrying `header`, or throws
 * OciError('unauthorized') when there is nothing left to try.
 */
export async function answerChallenge(
  state: AuthState,
  header: string | null,
  time: Deadline,
): Promise<void> {
  const challenges = parseChallenges(header ?? '');
  const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
  const basic = challenges.find((c) => c.scheme === 'basic');
  const creds = state.credentials;
  if (bearer) {
    if (!creds) {
      if (state.tried.has('anonymous_token')) throw missingCredentials(state);
      state.tried.add('anonymous_token');
      state.authorization = `Bearer ${await fetchToken(state, bearer, undefined, time)}`;
    } else if (creds.type === 'basic') {
      if (state.tried.has('token')) throw refused(state);
      state.tried.add('token');
      state.authorization = `Bearer ${await fetchToken(state, bearer, basicAuthorization(creds.username, creds.password), time)}`;
    } else if (!state.tried.has('direct')) {
      state.tried.add('direct');
      state.authorization = `Bearer ${creds.token}`;
    } else {
      if (state.tried.has('exchange')) throw refused(state);
      state.tried.add('exchange');
      state.authorization = `Bearer ${await fetchToken(state, bearer, basicAuthorization(TOKEN_USERNAME, creds.token), time)}`;
    }
    return;
  }
  if (basic) {
    if (!creds) throw missingCredentials(state);
    if (creds.type === 'token')
      throw new OciError(
        'unauthorized',
        `registry ${state.registry} asks for a username and password (HTTP basic auth), which a token connection does not have: create a basic registry connection for it (POST /v1/registry_connections), with the token as the password if the registry takes one`,
      );
    if (state.tried.has('basic')) throw refused(state);
    state.tried.add('basic');
    state.authorization = basicAuthorization(creds.username, creds.password);
    return;
  }
  const schemes = challenges.map((c) => c.scheme).join(', ') || 'none';
  throw new OciError(
    'unauthorized',
    `registry ${state.registry} answered 401 with an authentication scheme Atoll does not speak (${schemes}); Atoll supports Basic and Bearer token authentication`,
  );
}

/** A bearer token from the challenge's realm, for its service and scope (pull on the repository). */
async function fetchToken(
  state: AuthState,
  challenge: Challenge,
  authorization: string | undefined,
  time: Deadline,
): Promise<string> {
  let realm: URL;
  try {
    realm = new URL(challenge.params.realm!);
  } catch {
    throw new OciError(
      'registry_error',
      `registry ${state.registry} names a token service that is not a URL`,
    );
  }
  if (realm.protocol !== 'https:' && realm.protocol !== 'http:')
    throw new OciError(
      'registry_error',
      `registry ${state.registry} names a token service that is not http(s)`,
    );
  const plainAllowed =
    isLoopbackHost(realm.hostname.replace(/^\[|\]$/g, '')) || state.plainHttp.has(realm.host);
  if (realm.protocol === 'http:' && authorization && !plainAllowed)
    throw new OciError(
      'registry_error',
      `registry ${state.registry} sends its token requests to ${realm.host} over plain HTTP; Atoll sends credentials there only if it is listed in ATOLL_OCI_PLAIN_HTTP`,
    );
  if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
  realm.searchParams.set('scope', challenge.params.scope ?? `repository:${state.repository}:pull`);
  const { response, url } = await get(
    realm,
    { accept: 'application/json' },
    { origin: realm.origin, authorization },
    time,
  );
  if (response.status === 401) {
    await discard(response);
    throw authorization ? refused(state) : missingCredentials(state);
  }
  if (response.status === 403) {
    await discard(response);
    throw new OciError(
      'forbidden',
      `the token service of registry ${state.registry} (${realm.host}) refused to grant pull access to ${state.repository}${authorization ? ': the registry connection may not pull it' : ''}`,
    );
  }
  if (response.status !== 200) {
    await discard(response);
    throw new OciError(
      'registry_error',
      `the token service of registry ${state.registry} (${realm.host}) answered HTTP ${response.status}`,
    );
  }
  const body = await readCapped(
    response,
    MAX_TOKEN_RESPONSE,
    () => {
      throw new OciError('registry_error', `the token service ${realm.host} sent an oversized answer`);
    },
    url,
    time,
  );
  let token: unknown;
  try {
    const json = JSON.parse(new TextDecoder().decode(body)) as { token?: unknown; access_token?: unknown };
    token = json.token ?? json.access_token;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token === '' || /[\r\n]/.test(token))
    throw new OciError('registry_error', `the token service ${realm.host} answered without a token`);
  return token;
}
