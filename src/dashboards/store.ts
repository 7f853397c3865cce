/** SQL for dashboards and their revisions: the only code that reads or writes those two tables. */
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { PageRequest } from '../http/pagination.ts';
import type {
  DashboardDefinition,
  DashboardRevisionsTable,
  DashboardsTable,
  StoredWidget,
} from './tables.ts';

export type DashboardRow = Selectable<DashboardsTable>;
export type RevisionRow = Selectable<DashboardRevisionsTable>;

export type NewDashboard = Pick<
  Insertable<DashboardsTable>,
  | 'id'
  | 'workspace_id'
  | 'purpose'
  | 'name'
  | 'description'
  | 'filter_definitions'
  | 'default_filter_values'
  | 'widgets'
  | 'active_revision_id'
  | 'created_by'
>;

export async function insertDashboard(trx: Kysely<DB>, row: NewDashboard): Promise<DashboardRow> {
  return trx.insertInto('dashboards').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The dashboard unless deleted; undefined when the workspace has none with this id. */
export async function findDashboard(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
): Promise<DashboardRow | undefined> {
  return db
    .selectFrom('dashboards')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** The workspace's overview, if it was made. */
export async function findOverview(db: Kysely<DB>, workspaceId: string): Promise<DashboardRow | undefined> {
  return db
    .selectFrom('dashboards')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('purpose', '=', 'workspace_overview')
    .executeTakeFirst();
}

/** A page of the workspace's dashboards, newest first (`limit + 1` rows). */
export async function listDashboards(
  db: Kysely<DB>,
  workspaceId: string,
  page: PageRequest,
): Promise<DashboardRow[]> {
  let query = db
    .selectFrom('dashboards')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('deleted_at', 'is', null);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

/**
 * Moves the dashboard to a new definition and revision if it is still at `version`; the row after, or
 * undefined when it changed (or was deleted) meanwhile.
 */
export async function setDefinition(
  trx: Kysely<DB>,
  id: string,
  version: number,
  next: Omit<DashboardDefinition, 'snippet_etags'>,
  revisionId: string,
): Promise<DashboardRow | undefined> {
  return trx
    .updateTable('dashboards')
    .set((eb) => ({
      name: next.name,
      description: next.description,
      filter_definitions: JSON.stringify(next.filter_definitions),
      default_filter_values: JSON.stringify(next.default_filter_values),
      widgets: JSON.stringify(next.widgets),
      active_revision_id: revisionId,
      version: eb('version', '+', 1),
      updated_at: new Date(),
    }))
    .where('id', '=', id)
    .where('version', '=', version)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Deletes the dashboard if it is still at `version`; false when it changed or is gone. */
export async function markDeleted(db: Kysely<DB>, id: string, version: number): Promise<boolean> {
  const done = await db
    .updateTable('dashboards')
    .set((eb) => ({ deleted_at: new Date(), updated_at: new Date(), version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('version', '=', version)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(done.numUpdatedRows) > 0;
}

export type NewRevision = Omit<Insertable<DashboardRevisionsTable>, 'seq' | 'created_at'>;

export async function insertRevision(trx: Kysely<DB>, row: NewRevision): Promise<RevisionRow> {
  return trx.insertInto('dashboard_revisions').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findRevision(
  db: Kysely<DB>,
  dashboardId: string,
  id: string,
): Promise<RevisionRow | undefined> {
  return db
    .selectFrom('dashboard_revisions')
    .selectAll()
    .where('dashboard_id', '=', dashboardId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** A page of a dashboard's revisions, newest first (`limit + 1` rows). */
export async function listRevisions(
  db: Kysely<DB>,
  dashboardId: string,
  page: PageRequest,
): Promise<RevisionRow[]> {
  let query = db.selectFrom('dashboard_revisions').selectAll().where('dashboard_id', '=', dashboardId);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

/** The workspace's dashboards (not deleted) with a widget of any of `snippetIds`, oldest first. */
export async function dashboardsUsingSnippets(
  db: Kysely<DB>,
  workspaceId: string,
  snippetIds: string[],
): Promise<Array<Pick<DashboardRow, 'id' | 'name' | 'description' | 'workspace_id' | 'widgets'>>> {
  if (snippetIds.length === 0) return [];
  const probes = snippetIds.map((id) =>
    JSON.stringify([{ snippet_id: id }] satisfies Array<Partial<StoredWidget>>),
  );
  return db
    .selectFrom('dashboards')
    .select(['id', 'name', 'description', 'workspace_id', 'widgets'])
    .where('workspace_id', '=', workspaceId)
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or(probes.map((probe) => sql<boolean>`widgets @> ${probe}::jsonb`)))
    .orderBy('seq', 'asc')
    .execute();
}

/** The run cached under a key, if any. */
export async function findResult(
  db: Kysely<DB>,
  cacheKey: string,
): Promise<{ run_id: string; observed_at: Date } | undefined> {
  return db
    .selectFrom('dashboard_widget_results')
    .select(['run_id', 'observed_at'])
    .where('cache_key', '=', cacheKey)
    .executeTakeFirst();
}

/** Records `runId` as the result of a cache key (the newest wins). */
export async function putResult(
  db: Kysely<DB>,
  row: {
    cache_key: string;
    workspace_id: string;
    dashboard_id: string;
    widget_id: string;
    run_id: string;
    observed_at: Date;
  },
): Promise<void> {
  await db
    .insertInto('dashboard_widget_results')
    .values(row)
    .onConflict((oc) =>
      oc.column('cache_key').doUpdateSet({ run_id: row.run_id, observed_at: row.observed_at }),
    )
    .execute();
}
