/**
 * SQL for agent deployments (agent_deployments): reads scoped to a workspace, and the named changes of
 * a deployment row. Nobody else in the family writes this table.
 */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { PageRequest } from './page.ts';
import type { AgentDeploymentsTable, DeploymentStatus } from './tables.ts';

export type DeploymentRow = Selectable<AgentDeploymentsTable>;

export type NewDeployment = Pick<
  Insertable<AgentDeploymentsTable>,
  'id' | 'workspace_id' | 'name' | 'mode' | 'description' | 'metadata'
>;

/** The deployment (any status), or undefined; `forUpdate` locks it for the caller's transaction. */
export async function findDeployment(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<DeploymentRow | undefined> {
  let query = db
    .selectFrom('agent_deployments')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function insertDeployment(db: Kysely<DB>, row: NewDeployment): Promise<DeploymentRow> {
  return db.insertInto('agent_deployments').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The id of the workspace's live (not deleted) deployment with this name, if any. */
export async function findLiveDeploymentIdByName(
  db: Kysely<DB>,
  workspaceId: string,
  name: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('agent_deployments')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('name', '=', name)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row?.id;
}

/** A page of the workspace's deployments, newest first; without a status filter, deleted ones are left out. */
export async function listDeployments(
  db: Kysely<DB>,
  workspaceId: string,
  filter: { name?: string | undefined; status?: DeploymentStatus | undefined },
  page: PageRequest,
): Promise<DeploymentRow[]> {
  let query = db.selectFrom('agent_deployments').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.name !== undefined) query = query.where('name', '=', filter.name);
  query =
    filter.status === undefined
      ? query.where('status', '!=', 'deleted')
      : query.where('status', '=', filter.status);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

/** Soft delete: status deleted, which frees the name. */
export async function markDeploymentDeleted(db: Kysely<DB>, id: string): Promise<DeploymentRow> {
  return db
    .updateTable('agent_deployments')
    .set({ status: 'deleted', deleted_at: new Date(), updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Takes the deployment's next version number (call in the transaction that inserts the version). */
export async function takeNextVersionNumber(db: Kysely<DB>, id: string): Promise<number> {
  const { next_version_number: number } = await db
    .updateTable('agent_deployments')
    .set((eb) => ({ next_version_number: eb('next_version_number', '+', 1), updated_at: new Date() }))
    .where('id', '=', id)
    .returning('next_version_number')
    .executeTakeFirstOrThrow();
  return number - 1;
}

export async function setActiveVersion(
  db: Kysely<DB>,
  id: string,
  versionId: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('agent_deployments')
    .set({ active_version_id: versionId, updated_at: now })
    .where('id', '=', id)
    .execute();
}
