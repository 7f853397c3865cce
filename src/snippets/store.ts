/**
 * SQL for snippets and their runs. Every query is scoped to a workspace, so another workspace's rows
 * are never seen. Snippet writes are conditional on the version the caller read; runs are written once.
 * jsonb values are passed as JSON text (the drivers would turn a JS array into a Postgres array).
 */
import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import { newId } from '../db/ids.ts';
import type { DB } from '../db/schema.ts';
import type { PageRequest } from '../http/pagination.ts';
import type { RunLogEntry, RunSource, RunState, RunStats, RunView, SnippetRunError } from './run-schemas.ts';
import type { SnippetRunsTable, SnippetsTable } from './tables.ts';
import type { ResultContractTrio } from './contract.ts';

export type SnippetRow = Selectable<SnippetsTable>;
export type SnippetRunRow = Selectable<SnippetRunsTable>;

export type NewSnippet = Omit<Insertable<SnippetsTable>, 'seq' | 'version' | 'created_at' | 'updated_at'>;

/** Fields a PATCH may change (inputs as JSON text). */
export type SnippetPatch = Pick<
  Updateable<SnippetsTable>,
  | 'name'
  | 'description'
  | 'code'
  | 'display_type'
  | 'inputs'
  | 'visibility'
  | 'purpose'
  | 'result_contract_version'
  | 'result_type'
  | 'default_visualization'
>;

export async function insertSnippet(db: Kysely<DB>, row: NewSnippet): Promise<SnippetRow> {
  return db.insertInto('snippets').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The snippet, archived or not; undefined when the workspace has none with this id. */
export async function findSnippet(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
): Promise<SnippetRow | undefined> {
  return db
    .selectFrom('snippets')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** What another family may know of a snippet (snippets/module.ts lookupSnippet), without its code. */
export async function findSnippetFacts(db: Kysely<DB>, workspaceId: string, id: string) {
  return db
    .selectFrom('snippets')
    .select(['id', 'version', 'archived_at', 'visibility', 'display_type', 'inputs'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** A page of the workspace's active snippets (or, with `archived`, its archived ones), newest first. */
export async function listSnippets(
  db: Kysely<DB>,
  workspaceId: string,
  page: PageRequest,
  archived: boolean,
): Promise<SnippetRow[]> {
  let query = db
    .selectFrom('snippets')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('archived_at', archived ? 'is not' : 'is', null);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

/** Applies a patch if the snippet is still active at `version`; undefined when it is not. */
export async function updateSnippet(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
  version: number,
  patch: SnippetPatch,
): Promise<SnippetRow | undefined> {
  return db
    .updateTable('snippets')
    .set((eb) => ({ ...patch, version: eb('version', '+', 1), updated_at: new Date() }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('version', '=', version)
    .where('archived_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Archives the snippet if it is still active at `version`; undefined when it is not. */
export async function archiveSnippet(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
  version: number,
): Promise<SnippetRow | undefined> {
  const now = new Date();
  return db
    .updateTable('snippets')
    .set((eb) => ({ archived_at: now, updated_at: now, version: eb('version', '+', 1) }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('version', '=', version)
    .where('archived_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** A finished run, as the executor reports it. Field names are those of the SnippetRun resource. */
export type NewSnippetRun = ResultContractTrio & {
  workspace_id: string;
  snippet_id: string;
  source: RunSource;
  /** The snippet's name and etag when it ran (the snippet may change later). */
  snippet_name: string;
  snippet_etag: string;
  dashboard_id: string | null;
  dashboard_name: string | null;
  widget_id: string | null;
  widget_title: string | null;
  /** Who ran it: the caller's subject (token id or JWT subject). */
  run_by: string;
  agent_session_id: string | null;
  agent_turn_id: string | null;
  state: RunState;
  /** The values the snippet was called with (defaults applied). */
  inputs: Record<string, unknown>;
  overrides?: Record<string, unknown>;
  /** What the snippet returned (JSON-serialisable); undefined or null when nothing. */
  output: unknown;
  error: SnippetRunError | null;
  duration_ms: number;
  stats: RunStats;
  /** Console output (bounded) and how many entries did not fit. */
  logs?: RunLogEntry[];
  logs_dropped?: number;
};

/**
 * Inserts a complete run (id `snr_…`) and returns its row. Only the generated columns are read back:
 * the rest is what was written, so large outputs and logs are not parsed again.
 */
export async function recordRun(db: Kysely<DB>, run: NewSnippetRun): Promise<SnippetRunRow> {
  const row: Insertable<SnippetRunsTable> = {
    ...run,
    id: newId('snr'),
    inputs: JSON.stringify(run.inputs),
    overrides: JSON.stringify(run.overrides ?? {}),
    output: run.output === undefined || run.output === null ? null : JSON.stringify(run.output),
    error: run.error === null ? null : JSON.stringify(run.error),
    stats: JSON.stringify(run.stats),
    logs: JSON.stringify(run.logs ?? []),
    logs_dropped: run.logs_dropped ?? 0,
  };
  const generated = await db
    .insertInto('snippet_runs')
    .values(row)
    .returning(['id', 'seq', 'version', 'created_at'])
    .executeTakeFirstOrThrow();
  return {
    ...run,
    ...generated,
    overrides: run.overrides ?? {},
    output: run.output ?? null,
    logs: run.logs ?? [],
    logs_dropped: run.logs_dropped ?? 0,
  };
}

export type RunFilters = {
  snippetId?: string | undefined;
  state?: RunState | undefined;
  source?: RunSource | undefined;
  dashboardId?: string | undefined;
};

/** Every run column except the possibly large output and error. */
const SUMMARY_COLUMNS = [
  'seq',
  'id',
  'workspace_id',
  'snippet_id',
  'source',
  'snippet_name',
  'snippet_etag',
  'dashboard_id',
  'dashboard_name',
  'widget_id',
  'widget_title',
  'run_by',
  'agent_session_id',
  'agent_turn_id',
  'state',
  'inputs',
  'overrides',
  'duration_ms',
  'stats',
  'result_contract_version',
  'result_type',
  'default_visualization',
  'version',
  'created_at',
] as const satisfies ReadonlyArray<keyof SnippetRunsTable>;

/**
 * A page of the workspace's runs, newest first. The basic view leaves output, error and logs out of
 * the query (NULL / empty in the rows), as they may be large.
 */
export async function listRuns(
  db: Kysely<DB>,
  workspaceId: string,
  filters: RunFilters,
  view: RunView,
  page: PageRequest,
): Promise<SnippetRunRow[]> {
  const payload = (column: 'output' | 'error') => (view === 'full' ? sql.ref(column) : sql`NULL`);
  let query = db
    .selectFrom('snippet_runs')
    .select(SUMMARY_COLUMNS)
    .select([
      sql<unknown>`${payload('output')}`.as('output'),
      sql<SnippetRunError | null>`${payload('error')}`.as('error'),
      sql<RunLogEntry[]>`${view === 'full' ? sql.ref('logs') : sql`'[]'::jsonb`}`.as('logs'),
      sql<number>`${view === 'full' ? sql.ref('logs_dropped') : sql`0`}`.as('logs_dropped'),
    ])
    .where('workspace_id', '=', workspaceId);
  if (filters.snippetId !== undefined) query = query.where('snippet_id', '=', filters.snippetId);
  if (filters.state !== undefined) query = query.where('state', '=', filters.state);
  if (filters.source !== undefined) query = query.where('source', '=', filters.source);
  if (filters.dashboardId !== undefined) query = query.where('dashboard_id', '=', filters.dashboardId);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

/** A run of the workspace (of the given snippet, when one is named); undefined when there is none. */
export async function findRun(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
  snippetId?: string,
): Promise<SnippetRunRow | undefined> {
  let query = db
    .selectFrom('snippet_runs')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id);
  if (snippetId !== undefined) query = query.where('snippet_id', '=', snippetId);
  return query.executeTakeFirst();
}

/** How much a snippet is used: its runs, and its newest one. */
export type SnippetUsageRow = {
  seq: number;
  id: string;
  run_count: number;
  last_run_id: string | null;
  last_run_state: RunState | null;
  last_run_source: RunSource | null;
  last_run_at: Date | null;
};

/** Snippets of the workspace with their run count and newest run (index snippet_runs_snippet). */
function usageQuery(db: Kysely<DB>, workspaceId: string) {
  return db
    .selectFrom('snippets as s')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('snippet_runs as r')
          .select(['r.id', 'r.state', 'r.source', 'r.created_at'])
          .whereRef('r.snippet_id', '=', 's.id')
          .orderBy('r.seq', 'desc')
          .limit(1)
          .as('last'),
      (join) => join.onTrue(),
    )
    .select([
      's.seq',
      's.id',
      'last.id as last_run_id',
      'last.state as last_run_state',
      'last.source as last_run_source',
      'last.created_at as last_run_at',
      sql<number>`(SELECT count(*)::int FROM snippet_runs c WHERE c.snippet_id = s.id)`.as('run_count'),
    ])
    .where('s.workspace_id', '=', workspaceId);
}

/** The usage of one snippet, archived or not; undefined when the workspace has none with this id. */
export async function findSnippetUsage(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
): Promise<SnippetUsageRow | undefined> {
  return usageQuery(db, workspaceId).where('s.id', '=', id).executeTakeFirst();
}

/** A page of the usage of the workspace's active snippets, newest snippet first (as listSnippets). */
export async function listSnippetUsage(
  db: Kysely<DB>,
  workspaceId: string,
  page: PageRequest,
): Promise<SnippetUsageRow[]> {
  let query = usageQuery(db, workspaceId).where('s.archived_at', 'is', null);
  if (page.before !== undefined) query = query.where('s.seq', '<', page.before);
  return query
    .orderBy('s.seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

/** The workspace's snippet runs recorded in [from, to), counted by state (dashboards' platform metrics). */
export async function countRunsByState(
  db: Kysely<DB>,
  workspaceId: string,
  window: { from: Date; to: Date },
): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('snippet_runs')
    .select(['state', sql<number>`count(*)::int`.as('count')])
    .where('workspace_id', '=', workspaceId)
    .where('created_at', '>=', window.from)
    .where('created_at', '<', window.to)
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.count)]));
}
