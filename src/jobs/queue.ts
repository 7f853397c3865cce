/**
 * The producer side of the job queue: enqueue a job (inside the caller's transaction, so a resource and
 * the job that builds it commit together), cancel one, and read one's status. Runners are woken with a
 * NOTIFY sent by the same statement (delivered at commit, to every process) and an in-process publish.
 */
import type { Kysely } from 'kysely';
import { newId } from '../db/ids.ts';
import type { DB } from '../db/schema.ts';
import { InvalidJobError } from './errors.ts';
import { findJob, insertJob, markCancelled } from './store.ts';
import type { JobRow } from './tables.ts';
import { ANY_KIND, publishWakeup } from './wakeups.ts';

export type NewJob = {
  workspaceId: string;
  /** Selects the handler: lowercase letters, digits, `.`, `_`, `-` (e.g. `install.render`). */
  kind: string;
  /** Any JSON value; handlers should validate it (it may have been written by an older build). */
  payload: unknown;
  /** Jobs sharing a serial key run one at a time, in enqueue order (e.g. `install:<id>`). */
  serialKey?: string | null;
  /** Claims before the job fails for good; default 3. */
  maxAttempts?: number;
  /** Not claimed before this time; default now. */
  runAfter?: Date;
};

export type CancelOutcome =
  /** It was queued and is now cancelled; it will not run. */
  | 'cancelled'
  /** It is running: its handler's signal is aborted, and the job ends when the handler returns. */
  | 'requested'
  /** It had already ended (succeeded, failed or cancelled). */
  | 'finished'
  | 'not_found';

const KIND = /^[a-z][a-z0-9._-]{0,63}$/;
const MAX_SERIAL_KEY = 255;

/**
 * Inserts a queued job and returns it. Pass the caller's transaction to make the job atomic with the
 * caller's writes: runners cannot see it before the commit, and a rollback leaves no job.
 */
export async function enqueue(db: Kysely<DB>, job: NewJob): Promise<JobRow> {
  const payload = encodePayload(job);
  const serialKey = job.serialKey ?? null;
  if (serialKey !== null && (serialKey.length === 0 || serialKey.length > MAX_SERIAL_KEY))
    throw new InvalidJobError(`a serial key must be 1–${MAX_SERIAL_KEY} characters`);
  const maxAttempts = job.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 1000)
    throw new InvalidJobError(`maxAttempts must be an integer from 1 to 1000, not ${maxAttempts}`);
  if (job.runAfter !== undefined && Number.isNaN(job.runAfter.getTime()))
    throw new InvalidJobError('runAfter is not a valid date');
  const row = await insertJob(db, {
    id: newId('job'),
    workspace_id: job.workspaceId,
    kind: job.kind,
    payload,
    serial_key: serialKey,
    max_attempts: maxAttempts,
    ...(job.runAfter ? { run_after: job.runAfter } : {}),
  });
  // Inside an open transaction on PGlite, the woken runner's claim waits for its commit (the store has
  // one session); on Postgres it may find nothing yet, and the NOTIFY wakes it again at commit.
  publishWakeup({ type: 'ready', kind: job.kind });
  return row;
}

function encodePayload(job: NewJob): string {
  if (!KIND.test(job.kind)) throw new InvalidJobError(`job kind "${job.kind}" must match ${KIND.source}`);
  let text: string | undefined;
  try {
    text = JSON.stringify(job.payload);
  } catch (error) {
    throw new InvalidJobError(`the payload of a ${job.kind} job is not JSON: ${(error as Error).message}`);
  }
  if (text === undefined) throw new InvalidJobError(`the payload of a ${job.kind} job is not JSON`);
  return text;
}

/**
 * Cancels a job: a queued one at once, a running one by request (its runner aborts the handler's signal;
 * the job ends `cancelled` unless the handler completes anyway). Usable inside a transaction.
 */
export async function cancel(db: Kysely<DB>, jobId: string): Promise<CancelOutcome> {
  const row = await markCancelled(db, jobId);
  if (row?.previous === 'running') {
    publishWakeup({ type: 'cancel', jobId });
    return 'requested';
  }
  if (row?.previous === 'queued') {
    // A cancelled job may have been holding back the next job of its serial key.
    publishWakeup({ type: 'ready', kind: ANY_KIND });
    return 'cancelled';
  }
  return (await jobStatus(db, jobId)) ? 'finished' : 'not_found';
}

/** The stored job, or undefined (for tests and operators; services keep their own resource state). */
export async function jobStatus(db: Kysely<DB>, jobId: string): Promise<JobRow | undefined> {
  return findJob(db, jobId);
}
