/**
 * SQL for agent runs (agent_runs) and their collected outputs (agent_run_outputs): reads, the insert,
 * and the named state changes of a run's life — claimed, installing, running, finished, cancelled,
 * its retained sandbox removed. Nobody else in the family writes these tables.
 */
import type { Insertable, Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { PageRequest } from '../page.ts';
import {
  ACTIVE_RUN_STATUSES,
  type AgentRunOutputsTable,
  type AgentRunsTable,
  type OutputManifest,
  type RunStatus,
  type TerminalRunStatus,
} from '../tables.ts';

export type RunRow = Selectable<AgentRunsTable>;
export type RunOutputRow = Selectable<AgentRunOutputsTable>;

export type NewRun = Pick<
  Insertable<AgentRunsTable>,
  | 'id'
  | 'workspace_id'
  | 'deployment_id'
  | 'version_id'
  | 'input'
  | 'retain_on_failure'
  | 'retention_seconds'
  | 'idempotency_key'
  | 'turn_id'
  | 'job_id'
>;

/** The run of this deployment, or undefined (another workspace's run is not seen). */
export async function findRun(
  db: Kysely<DB>,
  workspaceId: string,
  deploymentId: string,
  runId: string,
): Promise<RunRow | undefined> {
  return db
    .selectFrom('agent_runs')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('deployment_id', '=', deploymentId)
    .where('id', '=', runId)
    .executeTakeFirst();
}

/** A run by id alone (workers and waits, which hold its id from a job or an earlier read). */
export async function findRunById(db: Kysely<DB>, runId: string): Promise<RunRow | undefined> {
  return db.selectFrom('agent_runs').selectAll().where('id', '=', runId).executeTakeFirst();
}

/** A run by id that must exist. */
export async function getRun(db: Kysely<DB>, runId: string): Promise<RunRow> {
  return db.selectFrom('agent_runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
}

/** The run locked for update (in the caller's transaction); it must exist. */
export async function lockRun(tx: Kysely<DB>, runId: string): Promise<RunRow> {
  return tx
    .selectFrom('agent_runs')
    .selectAll()
    .where('id', '=', runId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

/** What a log reader needs of the run: its status and whether its log was truncated. */
export async function getRunLogState(
  db: Kysely<DB>,
  runId: string,
): Promise<{ status: RunStatus; log_truncated: boolean }> {
  return db
    .selectFrom('agent_runs')
    .select(['status', 'log_truncated'])
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
}

export async function insertRun(db: Kysely<DB>, row: NewRun): Promise<RunRow> {
  return db.insertInto('agent_runs').values(row).returningAll().executeTakeFirstOrThrow();
}

/** A page of the deployment's runs, newest first. */
export async function listRuns(
  db: Kysely<DB>,
  workspaceId: string,
  deploymentId: string,
  filter: { status?: RunStatus | undefined; version_id?: string | undefined },
  page: PageRequest,
): Promise<RunRow[]> {
  let query = db
    .selectFrom('agent_runs')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('deployment_id', '=', deploymentId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.version_id) query = query.where('version_id', '=', filter.version_id);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

/** Ids of the deployment's runs that are not over yet. */
export async function listActiveRunIds(db: Kysely<DB>, deploymentId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('agent_runs')
    .select('id')
    .where('deployment_id', '=', deploymentId)
    .where('status', 'in', ['queued', 'starting', 'installing', 'running'])
    .execute();
  return rows.map((r) => r.id);
}

/** The runs of a turn that are not over yet. */
export async function listActiveTurnRuns(
  db: Kysely<DB>,
  workspaceId: string,
  turnId: string,
): Promise<Array<{ id: string; deployment_id: string }>> {
  return db
    .selectFrom('agent_runs')
    .select(['id', 'deployment_id'])
    .where('workspace_id', '=', workspaceId)
    .where('turn_id', '=', turnId)
    .where('status', 'in', ACTIVE_RUN_STATUSES)
    .execute();
}

/** Whether this run of this turn in this workspace is not over yet. */
export async function isTurnRunActive(
  db: Kysely<DB>,
  claims: { runId: string; workspaceId: string; turnId: string },
): Promise<boolean> {
  const run = await db
    .selectFrom('agent_runs')
    .select('id')
    .where('id', '=', claims.runId)
    .where('workspace_id', '=', claims.workspaceId)
    .where('turn_id', '=', claims.turnId)
    .where('status', 'in', ACTIVE_RUN_STATUSES)
    .executeTakeFirst();
  return run !== undefined;
}

/** queued → starting, with its sandbox id; undefined when the run is no longer queued. */
export async function claimQueuedRun(
  db: Kysely<DB>,
  runId: string,
  sandboxId: string,
): Promise<RunRow | undefined> {
  return db
    .updateTable('agent_runs')
    .set({ status: 'starting', sandbox_id: sandboxId, started_at: new Date(), updated_at: new Date() })
    .where('id', '=', runId)
    .where('status', '=', 'queued')
    .returningAll()
    .executeTakeFirst();
}

/** starting → installing (config.install runs). */
export async function markRunInstalling(db: Kysely<DB>, runId: string): Promise<RunRow> {
  return db
    .updateTable('agent_runs')
    .set({ status: 'installing', updated_at: new Date() })
    .where('id', '=', runId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** → running: the entrypoint's process started. */
export async function markRunRunning(db: Kysely<DB>, runId: string, processId: number): Promise<RunRow> {
  return db
    .updateTable('agent_runs')
    .set({ status: 'running', process_id: processId, updated_at: new Date() })
    .where('id', '=', runId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export type RunEnding = {
  status: TerminalRunStatus;
  exit_code: number | null;
  failure_reason: string | null;
  outputs?: OutputManifest | undefined;
  completed_at: Date;
  retained_until: Date | null;
  sandbox_removed_at: Date | null;
};

/** An active run reaches its terminal state; undefined when it had ended already. */
export async function finishRun(
  db: Kysely<DB>,
  runId: string,
  ending: RunEnding,
): Promise<RunRow | undefined> {
  return db
    .updateTable('agent_runs')
    .set({
      status: ending.status,
      exit_code: ending.exit_code,
      failure_reason: ending.failure_reason,
      ...(ending.outputs ? { output_manifest: JSON.stringify(ending.outputs) } : {}),
      completed_at: ending.completed_at,
      updated_at: ending.completed_at,
      retained_until: ending.retained_until,
      sandbox_removed_at: ending.sandbox_removed_at,
    })
    .where('id', '=', runId)
    .where('status', 'in', ['queued', 'starting', 'installing', 'running'])
    .returningAll()
    .executeTakeFirst();
}

/** A queued run is cancelled at once (no worker holds it). */
export async function cancelQueuedRun(
  tx: Kysely<DB>,
  runId: string,
  reason: string,
  now: Date,
): Promise<RunRow> {
  return tx
    .updateTable('agent_runs')
    .set({
      status: 'cancelled',
      failure_reason: reason,
      completed_at: now,
      updated_at: now,
      cancel_requested: true,
    })
    .where('id', '=', runId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A started run is asked to cancel; its worker ends it. */
export async function requestRunCancel(
  tx: Kysely<DB>,
  runId: string,
  reason: string,
  now: Date,
): Promise<RunRow> {
  return tx
    .updateTable('agent_runs')
    .set({ cancel_requested: true, failure_reason: reason, updated_at: now })
    .where('id', '=', runId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Records how much of the run's log was kept (the log sink, in its batch's transaction). */
export async function setRunLogUsage(
  tx: Kysely<DB>,
  runId: string,
  usage: { bytes: number; truncated: boolean },
): Promise<void> {
  await tx
    .updateTable('agent_runs')
    .set({ log_bytes: usage.bytes, log_truncated: usage.truncated })
    .where('id', '=', runId)
    .execute();
}

/** Runs whose retained sandbox is due for removal. */
export async function listExpiredRetainedRuns(
  db: Kysely<DB>,
): Promise<Array<{ id: string; sandbox_id: string | null }>> {
  return db
    .selectFrom('agent_runs')
    .select(['id', 'sandbox_id'])
    .where('retained_until', '<=', sql<Date>`now()`)
    .where('sandbox_removed_at', 'is', null)
    .execute();
}

export async function markRunSandboxRemoved(db: Kysely<DB>, runId: string): Promise<void> {
  await db
    .updateTable('agent_runs')
    .set({ sandbox_removed_at: new Date() })
    .where('id', '=', runId)
    .execute();
}

/** Which of these sandboxes an active run, or a run's retained sandbox, still owns. */
export async function listRunOwnedSandboxes(
  db: Kysely<DB>,
  sandboxIds: string[],
): Promise<Array<string | null>> {
  const rows = await db
    .selectFrom('agent_runs')
    .select('sandbox_id')
    .where('sandbox_id', 'in', sandboxIds)
    .where((eb) =>
      eb.or([
        eb('status', 'in', ['starting', 'installing', 'running']),
        eb.and([eb('retained_until', 'is not', null), eb('sandbox_removed_at', 'is', null)]),
      ]),
    )
    .execute();
  return rows.map((r) => r.sandbox_id);
}

export async function listRunOutputs(db: Kysely<DB>, runId: string): Promise<RunOutputRow[]> {
  return db.selectFrom('agent_run_outputs').selectAll().where('run_id', '=', runId).orderBy('path').execute();
}

export async function findRunOutput(
  db: Kysely<DB>,
  runId: string,
  path: string,
): Promise<RunOutputRow | undefined> {
  return db
    .selectFrom('agent_run_outputs')
    .selectAll()
    .where('run_id', '=', runId)
    .where('path', '=', path)
    .executeTakeFirst();
}

/** Records the run's collected output files (a path recorded already is kept). */
export async function insertRunOutputs(db: Kysely<DB>, rows: RunOutputRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('agent_run_outputs')
    .values(rows)
    .onConflict((oc) => oc.columns(['run_id', 'path']).doNothing())
    .execute();
}
