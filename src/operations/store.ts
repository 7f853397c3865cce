/**
 * SQL for operations (their wire form is resources.ts). Every function takes a Kysely<DB>, so callers may pass their
 * own transaction (create the resource, its job and its operation together; settle with other writes).
 * A settled operation is immutable: updates and settling only ever touch a RUNNING row.
 */
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import { newId } from '../db/ids.ts';
import type { DB } from '../db/schema.ts';
import type { PageRequest } from '../http/pagination.ts';
import { OPERATIONS_CHANNEL } from './notify.ts';
import type { OperationMetadata, SuccessResponse } from './kinds.ts';
import type { OperationStep, OwnerType, StepStatus } from './schemas.ts';
import { withStepStatus } from './steps.ts';
import type { OperationState, OperationsTable } from './tables.ts';

export type OperationRow = Selectable<OperationsTable>;

export type LastError = { message: string; step_name?: string };

export type NewOperation = {
  workspaceId: string | null;
  ownerType: OwnerType;
  ownerId: string;
  state: OperationState;
  metadata: OperationMetadata;
  response?: SuccessResponse | null;
  error?: { message: string } | null;
  steps?: OperationStep[];
  parentOperationId?: string | null;
  /** The job doing the work, if one does. */
  jobId?: string | null;
  /** The caller who started it, recorded where it must outlive its workspace (workspace.delete). */
  startedBy?: string;
};

export async function insertOperation(db: Kysely<DB>, op: NewOperation): Promise<OperationRow> {
  const terminal = op.state !== 'RUNNING';
  const row: Insertable<OperationsTable> = {
    id: newId('op'),
    workspace_id: op.workspaceId,
    owner_type: op.ownerType,
    owner_id: op.ownerId,
    parent_operation_id: op.parentOperationId ?? null,
    state: op.state,
    metadata: JSON.stringify(op.metadata),
    response: op.response ? JSON.stringify(op.response) : null,
    error: op.error ? JSON.stringify(op.error) : null,
    steps: JSON.stringify(op.steps ?? []),
    completed_at: terminal ? new Date() : null,
    // Left out unless given, so inserts do not depend on the column when nobody uses it.
    ...(op.jobId !== undefined ? { job_id: op.jobId } : {}),
    ...(op.startedBy !== undefined ? { started_by: op.startedBy } : {}),
  };
  return db.insertInto('operations').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findOperation(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
): Promise<OperationRow | undefined> {
  return db
    .selectFrom('operations')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** An operation by id alone, for the family that owns it (its workspace known from its own row). */
/** Who an operation belongs to: its workspace (null once that is gone) and who started it. */
export async function operationOwner(
  db: Kysely<DB>,
  id: string,
): Promise<{ workspace_id: string | null; started_by: string | null } | undefined> {
  return db
    .selectFrom('operations')
    .select(['workspace_id', 'started_by'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findOperationById(db: Kysely<DB>, id: string): Promise<OperationRow | undefined> {
  return db.selectFrom('operations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Which of these owners have an operation still running in the workspace. */
export async function ownersWithRunningOperations(
  db: Kysely<DB>,
  workspaceId: string,
  ownerType: OwnerType,
  ownerIds: readonly string[],
): Promise<Set<string>> {
  if (ownerIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('operations')
    .select('owner_id')
    .distinct()
    .where('workspace_id', '=', workspaceId)
    .where('owner_type', '=', ownerType)
    .where('owner_id', 'in', ownerIds)
    .where('state', '=', 'RUNNING')
    .execute();
  return new Set(rows.map((r) => r.owner_id));
}

export type OperationFilter = { ownerType?: OwnerType | undefined; ownerId?: string | undefined };

/** A page of the workspace's operations, newest first, fetched with one extra row for `toPage`. */
export async function listOperations(
  db: Kysely<DB>,
  workspaceId: string,
  filter: OperationFilter,
  page: PageRequest,
): Promise<OperationRow[]> {
  let query = db.selectFrom('operations').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.ownerType !== undefined) query = query.where('owner_type', '=', filter.ownerType);
  if (filter.ownerId !== undefined) query = query.where('owner_id', '=', filter.ownerId);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

export type OperationPatch = {
  steps?: OperationStep[];
  /** Set when a step fails, cleared (null) when it succeeds on retry. */
  lastError?: LastError | null;
  jobId?: string | null;
};

/** Records progress of a RUNNING operation; false when it is not (any more) running. */
export async function updateOperation(db: Kysely<DB>, id: string, patch: OperationPatch): Promise<boolean> {
  const result = await db
    .updateTable('operations')
    .set({
      updated_at: sql`now()`,
      ...(patch.steps !== undefined ? { steps: JSON.stringify(patch.steps) } : {}),
      ...(patch.lastError !== undefined
        ? { last_error: patch.lastError === null ? null : JSON.stringify(patch.lastError) }
        : {}),
      ...(patch.jobId !== undefined ? { job_id: patch.jobId } : {}),
    })
    .where('id', '=', id)
    .where('state', '=', 'RUNNING')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Records the job doing an operation's work (the job is enqueued after the operation row exists). */
export async function setOperationJob(db: Kysely<DB>, id: string, jobId: string): Promise<void> {
  await db.updateTable('operations').set({ job_id: jobId }).where('id', '=', id).execute();
}

/**
 * Moves one step of a running operation to `status` (failed records `errorMessage` as its last error too);
 * a no-op when the operation is not running or has no such step.
 */
export async function moveStep(
  db: Kysely<DB>,
  operationId: string,
  name: string,
  status: StepStatus,
  errorMessage?: string,
): Promise<void> {
  const op = await db
    .selectFrom('operations')
    .select(['steps', 'state'])
    .where('id', '=', operationId)
    .executeTakeFirst();
  if (!op || op.state !== 'RUNNING') return;
  const steps = op.steps as OperationStep[];
  if (!steps.some((s) => s.name === name)) return;
  await updateOperation(db, operationId, {
    steps: withStepStatus(steps, name, status, new Date(), errorMessage),
    ...(status === 'failed' ? { lastError: { message: errorMessage ?? 'failed', step_name: name } } : {}),
  });
}

/** How an operation ends: `response` only on success, `error` when it failed or was cancelled (spec §5). */
export type Settlement =
  | { state: 'SUCCEEDED'; response?: SuccessResponse | null }
  | { state: 'FAILED' | 'CANCELLED'; error: { message: string } };

/**
 * Moves a RUNNING operation to its terminal state; false when it was not running (already settled by
 * someone else — the first settlement wins). The same statement queues the NOTIFY that wakes waiters
 * in every process at commit; on the embedded store call `waiter.notify(id)` after the commit too.
 */
export async function settleOperation(db: Kysely<DB>, id: string, settlement: Settlement): Promise<boolean> {
  const outcome =
    settlement.state === 'SUCCEEDED'
      ? { response: settlement.response ? JSON.stringify(settlement.response) : null, error: null }
      : { response: null, error: JSON.stringify(settlement.error) };
  const row = await db
    .updateTable('operations')
    .set({ state: settlement.state, ...outcome, completed_at: sql`now()`, updated_at: sql`now()` })
    .where('id', '=', id)
    .where('state', '=', 'RUNNING')
    .returning(sql<string>`pg_notify(${OPERATIONS_CHANNEL}, id)`.as('notified'))
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Queues a wake-up for waiters of operation `id` in every process. Inside a transaction it is sent at
 * commit (and dropped on rollback). On the embedded store pg_notify is accepted and reaches no one;
 * there the in-process `waiter.notify(id)` does the waking.
 */
export async function notifyOperationSql(db: Kysely<DB>, id: string): Promise<void> {
  await sql`SELECT pg_notify(${OPERATIONS_CHANNEL}, ${id})`.execute(db);
}
