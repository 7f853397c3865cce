/**
 * Who may act in which workspace. A workspace token (and a turn token) acts only in its own workspace;
 * a JWT acts in the workspaces its claim lists ("*" = every one) and in those whose members include
 * its subject. A JWT request that names no workspace and addresses no resource acts in the JWT's
 * default workspace: the one its default-workspace claim names, else the only one it may act in.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Credential } from '../http/context.ts';
import { badRequest, forbidden, notFound } from '../http/errors.ts';
import { nounOf, ownedCollection } from './resource-owners.ts';
import { membership } from './workspaces/store.ts';

/** True when the workspace exists and the credential may act in it. */
export async function mayActIn(
  db: Kysely<DB>,
  credential: Credential,
  workspaceId: string,
): Promise<boolean> {
  switch (credential.kind) {
    case 'token':
    case 'turn':
      return credential.workspaceId === workspaceId;
    case 'jwt': {
      const m = await membership(db, workspaceId, credential.subject);
      if (!m.exists) return false;
      return m.member || credential.workspaces === '*' || credential.workspaces.includes(workspaceId);
    }
    default: {
      const never: never = credential;
      throw new Error(`unknown credential ${JSON.stringify(never)}`);
    }
  }
}

export async function workspaceExists(db: Kysely<DB>, workspaceId: string): Promise<boolean> {
  const row = await db.selectFrom('workspaces').select('id').where('id', '=', workspaceId).executeTakeFirst();
  return row !== undefined;
}

type JwtCredential = Extract<Credential, { kind: 'jwt' }>;

/** Up to `limit` workspaces a JWT may act in. */
async function workspacesOf(db: Kysely<DB>, c: JwtCredential, limit: number): Promise<string[]> {
  let query = db.selectFrom('workspaces').select('id');
  if (c.workspaces !== '*') {
    const claimed = c.workspaces;
    query = query.where((eb) =>
      eb.or([
        ...(claimed.length > 0 ? [eb('id', 'in', claimed)] : []),
        eb(
          'id',
          'in',
          eb.selectFrom('workspace_members').select('workspace_id').where('subject', '=', c.subject),
        ),
      ]),
    );
  }
  return (await query.orderBy('id').limit(limit).execute()).map((r) => r.id);
}

/**
 * The workspace a JWT acts in when its request names none: a resource it addresses that does not
 * exist is 404 (whatever the workspace); otherwise its default-workspace claim, else the only workspace
 * it may act in; 400 when it may act in several, 403 when in none.
 */
export async function defaultWorkspace(
  db: Kysely<DB>,
  c: JwtCredential,
  resource: { collection: string; id: string } | undefined,
): Promise<string> {
  if (resource && ownedCollection(resource.collection))
    throw notFound(nounOf(resource.collection), resource.id);
  if (c.defaultWorkspace !== undefined) {
    if (await mayActIn(db, c, c.defaultWorkspace)) return c.defaultWorkspace;
    throw forbidden(`this JWT's default workspace ${c.defaultWorkspace} is not one it may act in`);
  }
  const candidates = await workspacesOf(db, c, 3);
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) throw forbidden('this credential may not act in any workspace');
  throw badRequest(
    ['header', 'akua-context'],
    `this JWT may act in several workspaces (${candidates.slice(0, 2).join(', ')}${candidates.length > 2 ? ', …' : ''}): name one in the akua-context header, or give the JWT a default-workspace claim (ATOLL_JWT_DEFAULT_WORKSPACE_CLAIM)`,
  );
}
