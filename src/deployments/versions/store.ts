/**
 * SQL for deployment versions (agent_deployment_versions): reads, the insert, and the named status
 * changes of an upload (ready, superseded). Nobody else in the family writes this table.
 */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { PageRequest } from '../page.ts';
import type { AgentVersionsTable } from '../tables.ts';

export type VersionRow = Selectable<AgentVersionsTable>;

export type NewVersion = Omit<
  Insertable<AgentVersionsTable>,
  'seq' | 'status' | 'uploaded_at' | 'created_at' | 'updated_at'
>;

/** The version of this deployment, or undefined. */
export async function findVersion(
  db: Kysely<DB>,
  workspaceId: string,
  deploymentId: string,
  versionId: string,
): Promise<VersionRow | undefined> {
  return db
    .selectFrom('agent_deployment_versions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('deployment_id', '=', deploymentId)
    .where('id', '=', versionId)
    .executeTakeFirst();
}

/** A version by id alone (workers and hooks, which hold a run or service that names it); it must exist. */
export async function getVersion(db: Kysely<DB>, versionId: string): Promise<VersionRow> {
  return db
    .selectFrom('agent_deployment_versions')
    .selectAll()
    .where('id', '=', versionId)
    .executeTakeFirstOrThrow();
}

/** A page of the deployment's versions, newest first. */
export async function listVersions(
  db: Kysely<DB>,
  workspaceId: string,
  deploymentId: string,
  page: PageRequest,
): Promise<VersionRow[]> {
  let query = db
    .selectFrom('agent_deployment_versions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('deployment_id', '=', deploymentId);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

export async function insertVersion(db: Kysely<DB>, row: NewVersion): Promise<VersionRow> {
  return db.insertInto('agent_deployment_versions').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The previously active version, if it is still ready, becomes superseded. */
export async function markVersionSuperseded(db: Kysely<DB>, versionId: string, now: Date): Promise<void> {
  await db
    .updateTable('agent_deployment_versions')
    .set({ status: 'superseded', updated_at: now })
    .where('id', '=', versionId)
    .where('status', '=', 'ready')
    .execute();
}

/** The bundle was uploaded and verified: the version is ready. */
export async function markVersionReady(db: Kysely<DB>, versionId: string, now: Date): Promise<VersionRow> {
  return db
    .updateTable('agent_deployment_versions')
    .set({ status: 'ready', uploaded_at: now, updated_at: now })
    .where('id', '=', versionId)
    .returningAll()
    .executeTakeFirstOrThrow();
}
