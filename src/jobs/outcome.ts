/**
 * What a handler's return or throw means for its job: the one place that maps results, errors, aborts
 * and attempts to an outcome (src/jobs/store.ts writes it). Retries back off exponentially.
 */
import { JobCancelledError, JobLeaseLostError, JobRunnerStoppingError, PermanentJobError } from './errors.ts';
import type { JobOutcome } from './store.ts';
import type { JobRow } from './tables.ts';

/** Delay before retry number `attempts` + 1: 1 s, 2 s, 4 s … capped at 5 minutes. */
export function defaultRetryDelayMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempts - 1), 5 * 60_000);
}

const MAX_ERROR_LENGTH = 4000;

export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

/** The outcome of a handler that returned `value`. */
export function successOutcome(value: unknown): JobOutcome {
  let result: string | undefined;
  try {
    result = JSON.stringify(value === undefined ? null : value);
  } catch (error) {
    return { state: 'failed', error: `the job's result is not JSON: ${errorText(error)}` };
  }
  // JSON.stringify answers undefined for a function or symbol.
  if (result === undefined) return { state: 'failed', error: "the job's result is not JSON" };
  return { state: 'succeeded', result };
}

/**
 * The outcome of a handler that threw `error`, given why its signal was aborted (if it was); undefined
 * when this worker lost the job and must write nothing.
 */
export function failureOutcome(
  job: JobRow,
  error: unknown,
  abortReason: unknown,
  retryDelayMs: (attempts: number) => number,
): JobOutcome | undefined {
  if (abortReason instanceof JobLeaseLostError) return undefined;
  if (abortReason instanceof JobCancelledError) return { state: 'cancelled', error: abortReason.message };
  if (abortReason instanceof JobRunnerStoppingError)
    return { state: 'queued', error: abortReason.message, delayMs: 0, refund: true };
  const message = errorText(error);
  if (error instanceof PermanentJobError || job.attempts >= job.max_attempts)
    return { state: 'failed', error: message };
  return { state: 'queued', error: message, delayMs: retryDelayMs(job.attempts), refund: false };
}

/** What becomes of a job whose worker was lost, given its kind's `lost` answer. */
export function lostOutcome(
  job: JobRow,
  decision: 'retry' | 'fail',
  retryDelayMs: (attempts: number) => number,
): JobOutcome {
  const error = 'worker lost';
  if (job.cancel_requested) return { state: 'cancelled', error };
  if (decision === 'fail' || job.attempts >= job.max_attempts) return { state: 'failed', error };
  return { state: 'queued', error, delayMs: retryDelayMs(job.attempts), refund: false };
}
