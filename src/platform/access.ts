/**
 * Who may act in which workspace, and with which role (docs/workspaces.md). A workspace token acts only
 * in its own workspace, with an owner's rights; a turn token only in its own, as a member (it can do
 * nothing but emit into its turn anyway). A JWT acts with an owner's rights in the workspaces its claim
 * lists ("*" = every one) — the identity provider granted them — and, in those whose members include its
 * subject, with that member's role. A JWT request that names no workspace and addresses no resource acts
 * in the JWT's default workspace: the one its default-workspace claim names, else the only one it may
 * act in.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Credential, CredentialUse } from '../http/context.ts';
import { badRequest, forbidden, notFound, type ApiError } from '../http/errors.ts';
import { WORKSPACE_ROLES, type WorkspaceRole } from './members/schemas.ts';
import { membership } from './members/store.ts';
import { nounOf, ownedCollection } from './resource-owners.ts';
import { listWorkspaces, visibleTo } from './workspaces/store.ts';

/** The credential's role in the workspace; undefined when it may not act there or there is none. */
export async function roleIn(
  db: Kysely<DB>,
  credential: Credential,
  workspaceId: string,
): Promise<WorkspaceRole | undefined> {
  switch (credential.kind) {
    case 'token':
      return credential.workspaceId === workspaceId ? 'owner' : undefined;
    case 'turn':
      return credential.workspaceId === workspaceId ? 'member' : undefined;
    case 'jwt': {
      const m = await membership(db, workspaceId, credential.subject);
      if (!m.exists) return undefined;
      if (credential.workspaces === '*' || credential.workspaces.includes(workspaceId)) return 'owner';
      return m.role;
    }
    default: {
      const never: never = credential;
      throw new Error(`unknown credential ${JSON.stringify(never)}`);
    }
  }
}

/** True when the workspace exists and the credential may act in it. */
export async function mayActIn(
  db: Kysely<DB>,
  credential: Credential,
  workspaceId: string,
): Promise<boolean> {
  return (await roleIn(db, credential, workspaceId)) !== undefined;
}

/** True when `role` is `needed` or stronger (owner > admin > member). */
export function hasRole(role: WorkspaceRole, needed: WorkspaceRole): boolean {
  return WORKSPACE_ROLES.indexOf(role) <= WORKSPACE_ROLES.indexOf(needed);
}

/** The 403 for a caller whose role is below what an action needs, naming both. */
export function roleTooWeak(
  workspaceId: string,
  role: WorkspaceRole,
  needed: WorkspaceRole,
  action: string,
): ApiError {
  const roles = WORKSPACE_ROLES.slice(0, WORKSPACE_ROLES.indexOf(needed) + 1).join(' or ');
  return forbidden(`your role in workspace ${workspaceId} is ${role}: ${action} needs the ${roles} role`, {
    hint: 'ask an owner or admin of the workspace (GET /v1/workspaces/{id}/members lists them)',
  });
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * What a workspace-scoped request needs beyond acting in the workspace. Every role may read and use the
 * workspace's resources; API tokens act with an owner's rights, so minting or revoking one is for admins
 * (a member could otherwise give itself an owner's rights). Members, and renaming or deleting the
 * workspace, are checked by their services (src/platform/members, src/platform/workspaces).
 */
const RULES: { needed: WorkspaceRole; action: string; applies(use: CredentialUse): boolean }[] = [
  {
    needed: 'admin',
    action: 'creating or revoking API tokens',
    applies: (use) => !READS.has(use.method) && /^\/v1\/api_tokens(\/|$)/.test(use.path),
  },
];

/**
 * Throws 403 naming the role when the credential's role in the workspace is below what the request
 * needs; for a credential already known to act in the workspace. Costs a query only for requests a
 * rule restricts.
 */
export async function assertRoleFor(
  db: Kysely<DB>,
  credential: Credential,
  workspaceId: string,
  use: CredentialUse,
): Promise<void> {
  const rule = RULES.find((r) => r.applies(use));
  if (!rule) return;
  const role = await roleIn(db, credential, workspaceId);
  if (role === undefined) throw forbidden(`this credential may not act in workspace ${workspaceId}`);
  if (!hasRole(role, rule.needed)) throw roleTooWeak(workspaceId, role, rule.needed, rule.action);
}

type JwtCredential = Extract<Credential, { kind: 'jwt' }>;

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
  const candidates = (await listWorkspaces(db, visibleTo(c), { limit: 2, before: undefined })).map(
    (w) => w.id,
  );
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) throw forbidden('this credential may not act in any workspace');
  throw badRequest(
    ['header', 'akua-context'],
    `this JWT may act in several workspaces (${candidates.slice(0, 2).join(', ')}${candidates.length > 2 ? ', …' : ''}): name one in the akua-context header, or give the JWT a default-workspace claim (ATOLL_JWT_DEFAULT_WORKSPACE_CLAIM)`,
  );
}
