/**
 * The SQL of the jobs table, which this store owns: the producer's writes (insert, cancel) and reads used by
 * queue.ts, and the runner's: claiming ready jobs (FOR UPDATE SKIP LOCKED, serial keys under an advisory lock),
 * renewing leases, recording outcomes, and taking over jobs whose lease expired. Every write after a
 * claim is guarded by (id, attempts, lease_owner, state = 'running'), so a worker that lost its lease
 * can never overwrite what the job's new owner decided. Times come from the database clock, which all
 * processes share.
 */
import { createHash } from 'node:crypto';
import { sql, type Insertable, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { JobRow, JobState, JobsTable } from './tables.ts';
import { ANY_KIND, JOBS_CHANNEL, encodeWakeup, publishWakeup } from './wakeups.ts';

/** First key of the two-key advisory locks on serial keys (the second is a hash of the key). */
const SERIAL_LOCK_CLASS = 727_274_002;

/** One claim of a job: the holder and the attempt it holds. */
export type Lease = { owner: string; id: string; attempts: number };

/** How a claimed job ends (or goes back to the queue). */
export type JobOutcome =
  | { state: 'succeeded'; result: string }
  | { state: 'failed'; error: string }
  | { state: 'cancelled'; error: string }
  /** Back to the queue; `refund` gives the attempt back (the runner stopped, not the job's fault). */
  | { state: 'queued'; error: string; delayMs: number; refund: boolean };

/** Waiting for no running job of the key and no older queued one: one at a time, in order. */
const serialFree = sql`(j.serial_key IS NULL OR (
  NOT EXISTS (SELECT 1 FROM jobs o WHERE o.serial_key = j.serial_key AND o.state = 'running')
  AND NOT EXISTS (SELECT 1 FROM jobs o WHERE o.serial_key = j.serial_key AND o.state = 'queued' AND o.seq < j.seq)))`;

const ms = (value: number): RawBuilder<unknown> => sql`(${value}::float8 * interval '1 millisecond')`;

/**
 * Claims up to `limit` ready jobs of `kinds`, oldest first, in one short transaction, and returns them
 * running under a lease of `leaseMs` with attempts + 1.
 *
 * The first SELECT sees one snapshot; a job of an older seq committed late, or a claim of the same key
 * still uncommitted, could make two jobs of one key look free in two claimers' snapshots. So a claimer
 * locks each candidate's serial key (`pg_advisory_xact_lock`, held until commit, taken in one global
 * order) and re-checks in a new statement, which sees every claim committed by the lock's previous holder.
 */
export async function claimJobs(
  db: Kysely<DB>,
  input: { owner: string; kinds: readonly string[]; limit: number; leaseMs: number },
): Promise<JobRow[]> {
  if (input.kinds.length === 0 || input.limit <= 0) return [];
  return db.transaction().execute(async (trx) => {
    const { rows: candidates } = await sql<{ id: string; serial_key: string | null }>`
      SELECT j.id, j.serial_key FROM jobs j
      WHERE j.state = 'queued' AND j.run_after <= now() AND j.kind IN (${sql.join(input.kinds)}) AND ${serialFree}
      ORDER BY j.seq LIMIT ${input.limit}
      FOR UPDATE SKIP LOCKED`.execute(trx);
    if (candidates.length === 0) return [];
    let ids = candidates.map((c) => c.id);
    const keys = [...new Set(candidates.flatMap((c) => (c.serial_key === null ? [] : [c.serial_key])))];
    if (keys.length > 0) {
      const locks = [...new Set(keys.map(lockKey))].sort((a, b) => a - b);
      for (const lock of locks)
        await sql`SELECT pg_advisory_xact_lock(${SERIAL_LOCK_CLASS}, ${lock})`.execute(trx);
      const { rows } = await sql<{ id: string }>`
        SELECT j.id FROM jobs j WHERE j.id IN (${sql.join(ids)}) AND j.state = 'queued' AND ${serialFree}`.execute(
        trx,
      );
      ids = rows.map((r) => r.id);
      if (ids.length === 0) return [];
    }
    const claimed = await trx
      .updateTable('jobs')
      .set((eb) => ({
        state: 'running',
        attempts: eb('attempts', '+', 1),
        lease_owner: input.owner,
        lease_until: sql<Date>`now() + ${ms(input.leaseMs)}`,
        updated_at: sql<Date>`now()`,
      }))
      .where('id', 'in', ids)
      .returningAll()
      .execute();
    return claimed.sort((a, b) => a.seq - b.seq);
  });
}

/** A 32-bit lock id for a serial key (the same in every process). */
function lockKey(serialKey: string): number {
  return createHash('sha256').update(serialKey).digest().readInt32BE(0);
}

/**
 * Extends the leases still held; returns the ones renewed with whether a cancel was requested. A lease
 * missing from the answer is lost (taken over after it expired, or the job was deleted).
 */
export async function renewLeases(
  db: Kysely<DB>,
  owner: string,
  leases: readonly Lease[],
  leaseMs: number,
): Promise<Array<{ id: string; attempts: number; cancel_requested: boolean }>> {
  if (leases.length === 0) return [];
  const { rows } = await sql<{ id: string; attempts: number; cancel_requested: boolean }>`
    UPDATE jobs SET lease_until = now() + ${ms(leaseMs)}, updated_at = now()
    WHERE (id, attempts) IN (${sql.join(leases.map((l) => sql`(${l.id}, ${l.attempts}::int)`))})
      AND state = 'running' AND lease_owner = ${owner}
    RETURNING id, attempts, cancel_requested`.execute(db);
  return rows;
}

/**
 * Records how a claimed job ended, if `lease` still holds it; returns the state written, or undefined
 * when the lease was lost (nothing written). A job asked to cancel is cancelled instead of re-queued.
 * Wakes runners when the job frees its serial key or is ready again at once.
 */
export async function finishJob(
  db: Kysely<DB>,
  lease: Lease,
  outcome: JobOutcome,
): Promise<JobState | undefined> {
  const set = outcomeColumns(outcome);
  const { rows } = await sql<{ state: JobState; kind: string; serial_key: string | null }>`
    UPDATE jobs SET ${set}, lease_until = NULL, updated_at = now()
    WHERE id = ${lease.id} AND attempts = ${lease.attempts} AND lease_owner = ${lease.owner} AND state = 'running'
    RETURNING state, kind, serial_key`.execute(db);
  const row = rows[0];
  if (!row) return undefined;
  const wake =
    row.serial_key !== null
      ? ANY_KIND
      : row.state === 'queued' && outcome.state === 'queued' && outcome.delayMs <= 0
        ? row.kind
        : undefined;
  if (wake !== undefined) {
    const payload = encodeWakeup({ type: 'ready', kind: wake });
    await sql`SELECT pg_notify(${JOBS_CHANNEL}, ${payload})`.execute(db);
    publishWakeup({ type: 'ready', kind: wake });
  }
  return row.state;
}

function outcomeColumns(outcome: JobOutcome): RawBuilder<unknown> {
  switch (outcome.state) {
    case 'succeeded':
      return sql`state = 'succeeded', result = ${outcome.result}::jsonb, finished_at = now()`;
    case 'failed':
    case 'cancelled':
      return sql`state = ${outcome.state}, last_error = ${outcome.error}, finished_at = now()`;
    case 'queued':
      return sql`state = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'queued' END,
        finished_at = CASE WHEN cancel_requested THEN now() END,
        run_after = now() + ${ms(Math.max(0, outcome.delayMs))},
        attempts = attempts - ${outcome.refund ? 1 : 0}::int,
        last_error = ${outcome.error}`;
    default: {
      const never: never = outcome;
      throw new Error(`unknown job outcome ${JSON.stringify(never)}`);
    }
  }
}

/**
 * Takes over up to `limit` running jobs of `kinds` whose lease expired (their worker died or stalled):
 * they stay running, under a fresh lease of `owner`, while the runner decides their fate.
 */
export async function takeOverExpired(
  db: Kysely<DB>,
  input: { owner: string; kinds: readonly string[]; limit: number; leaseMs: number },
): Promise<JobRow[]> {
  if (input.kinds.length === 0) return [];
  const { rows } = await sql<JobRow>`
    UPDATE jobs SET lease_owner = ${input.owner}, lease_until = now() + ${ms(input.leaseMs)}, updated_at = now()
    WHERE id IN (
      SELECT id FROM jobs
      WHERE state = 'running' AND lease_until < now() AND kind IN (${sql.join(input.kinds)})
      ORDER BY lease_until LIMIT ${input.limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING *`.execute(db);
  return rows;
}

/**
 * Inserts a queued job and sends its `ready:<kind>` NOTIFY in the same statement (delivered at commit).
 * Callers go through `enqueue` (queue.ts), which checks the row and wakes this process's runners.
 */
export async function insertJob(db: Kysely<DB>, row: Insertable<JobsTable>): Promise<JobRow> {
  const { notified: _, ...job } = await db
    .insertInto('jobs')
    .values(row)
    .returningAll()
    .returning(sql<string>`pg_notify(${JOBS_CHANNEL}, ${`ready:${row.kind}`})`.as('notified'))
    .executeTakeFirstOrThrow();
  return job;
}

/** The state a cancel applied to, when the job was queued or running. */
export type CancelledRow = { previous: 'queued' | 'running'; kind: string };

/**
 * Cancels a queued job (state `cancelled`) or asks a running one to stop (`cancel_requested`), notifying
 * runners (`cancel:<id>` for a running job, `ready:*` for a queued one, whose serial key frees up).
 * Undefined when the job is not queued or running.
 */
export async function markCancelled(db: Kysely<DB>, jobId: string): Promise<CancelledRow | undefined> {
  // The CTE locks the row, so `previous` is the state the update applies to even when a runner claims
  // or finishes the job concurrently.
  const { rows } = await sql<CancelledRow>`
    WITH target AS (SELECT id, state FROM jobs WHERE id = ${jobId} FOR UPDATE)
    UPDATE jobs j SET
      state = CASE WHEN t.state = 'queued' THEN 'cancelled' ELSE j.state END,
      finished_at = CASE WHEN t.state = 'queued' THEN now() ELSE j.finished_at END,
      cancel_requested = true,
      updated_at = now()
    FROM target t
    WHERE j.id = t.id AND t.state IN ('queued', 'running')
    RETURNING t.state AS previous, j.kind,
      pg_notify(${JOBS_CHANNEL}, CASE WHEN t.state = 'running' THEN 'cancel:' || j.id ELSE ${`ready:${ANY_KIND}`} END)
  `.execute(db);
  return rows[0];
}

/** The stored job, or undefined. */
export async function findJob(db: Kysely<DB>, jobId: string): Promise<JobRow | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
}

/** How long finished jobs are kept (their results and errors) before the sweep deletes them. */
export const FINISHED_JOB_RETENTION_DAYS = 7;

/** Deletes jobs that finished more than FINISHED_JOB_RETENTION_DAYS ago; returns how many. */
export async function purgeFinishedJobs(db: Kysely<DB>): Promise<number> {
  const result = await db
    .deleteFrom('jobs')
    .where('state', 'in', ['succeeded', 'failed', 'cancelled'])
    .where('finished_at', '<', sql<Date>`now() - make_interval(days => ${FINISHED_JOB_RETENTION_DAYS})`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Ends the lease of every running job now, so that the next poll takes them over. Only for the embedded
 * store at start: it belongs to one process, so a job still running was left by a process that died.
 */
export async function expireRunningLeases(db: Kysely<DB>): Promise<void> {
  await sql`UPDATE jobs SET lease_until = now() WHERE state = 'running'`.execute(db);
}

/** Drops one key from a job's payload: sealed envs leave the database once a worker holds them in memory. */
export async function removeJobPayloadKey(db: Kysely<DB>, jobId: string, key: string): Promise<void> {
  await sql`UPDATE jobs SET payload = payload - ${key}::text WHERE id = ${jobId}`.execute(db);
}
