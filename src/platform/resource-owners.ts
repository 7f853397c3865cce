/**
 * Which workspace a resource addressed by id belongs to, for credentials that do not imply one (a JWT
 * on a by-id operation the published API declares without `akua-context`: a client generated from it
 * can never send the header there). The one read across domains' tables: every table below keys rows
 * by `id` and records their `workspace_id`; only that column is read, nothing is written
 * (resource-owners-store.ts). Operations are asked through their owner's store.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { operationOwner } from '../operations/store.ts';
import { workspaceOfRow } from './resource-owners-store.ts';

/** The table behind each collection path segment (`/v1/<collection>/<id>…`), and what its rows are called. */
const OWNED_BY_WORKSPACE = {
  snippets: { table: 'snippets', noun: 'snippet' },
  snippet_runs: { table: 'snippet_runs', noun: 'snippet run' },
  agents: { table: 'agents', noun: 'agent' },
  agent_sessions: { table: 'agent_sessions', noun: 'agent session' },
  agent_turns: { table: 'agent_turns', noun: 'agent turn' },
  approval_requests: { table: 'approval_requests', noun: 'approval request' },
  operations: { table: 'operations', noun: 'operation' },
  packages: { table: 'packages', noun: 'package' },
  installs: { table: 'installs', noun: 'install' },
  repositories: { table: 'repositories', noun: 'repository' },
  repository_change_requests: { table: 'repository_change_requests', noun: 'repository change request' },
  api_tokens: { table: 'api_tokens', noun: 'API token' },
  'agent-deployments': { table: 'agent_deployments', noun: 'agent deployment' },
} as const satisfies Record<string, { table: keyof DB; noun: string }>;

export type Owner = {
  workspaceId: string;
  /** Who started it, for operations (they stay readable by their starter after their workspace is gone). */
  startedBy: string | null;
};

/** True for collections whose ids resolve to a workspace. */
export const ownedCollection = (collection: string): collection is keyof typeof OWNED_BY_WORKSPACE =>
  Object.hasOwn(OWNED_BY_WORKSPACE, collection);

/** What a collection's resources are called in messages ("snippet"). */
export const nounOf = (collection: string): string =>
  ownedCollection(collection) ? OWNED_BY_WORKSPACE[collection].noun : collection;

/** The owner of resource `id` in `collection`, or undefined when there is no such resource. */
export async function ownerOf(db: Kysely<DB>, collection: string, id: string): Promise<Owner | undefined> {
  if (!ownedCollection(collection)) return undefined;
  if (collection === 'operations') {
    // The published API accepts operation ids without their `op_` prefix.
    const owner = await operationOwner(db, id.startsWith('op_') ? id : `op_${id}`);
    return owner?.workspace_id ? { workspaceId: owner.workspace_id, startedBy: owner.started_by } : undefined;
  }
  const workspaceId = await workspaceOfRow(db, OWNED_BY_WORKSPACE[collection].table, id);
  return workspaceId !== undefined ? { workspaceId, startedBy: null } : undefined;
}
