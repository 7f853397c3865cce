/**
 * Errors of the job queue. A handler throws `PermanentJobError` to fail its job without retries; the
 * others are the reasons a runner aborts a handler's `ctx.signal` with, so a handler can tell why it
 * must stop (`signal.reason instanceof JobCancelledError`, …).
 */

/** Thrown by a handler: the job fails now, whatever attempts remain (bad payload, missing resource…). */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/** Abort reason: someone called `cancel()` on the running job. */
export class JobCancelledError extends Error {
  override name = 'JobCancelledError';
  constructor(jobId: string) {
    super(`job ${jobId} was cancelled`);
  }
}

/**
 * Abort reason, and what `ctx.heartbeat()` throws: this worker no longer holds the job (its lease
 * expired and another runner took it over, or the job was deleted). Whatever the handler does next
 * is discarded.
 */
export class JobLeaseLostError extends Error {
  override name = 'JobLeaseLostError';
  constructor(jobId: string) {
    super(`the lease of job ${jobId} was lost`);
  }
}

/** Abort reason: the runner is stopping and the grace period for running jobs has passed. */
export class JobRunnerStoppingError extends Error {
  override name = 'JobRunnerStoppingError';
  constructor() {
    super('the job runner is stopping');
  }
}

/** `enqueue` was given a job that cannot be stored (a programming error, not a user input). */
export class InvalidJobError extends Error {
  override name = 'InvalidJobError';
}
