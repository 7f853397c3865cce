/**
 * Waiting in tests for something that happens in the background (a job settles, a process exits, a
 * line is logged): `eventually` runs a check again and again until it holds, then returns what it
 * returned. It replaces both polling loops and fixed sleeps that hoped the thing had happened by then:
 * it is as fast as the thing itself and fails with a message naming what never happened.
 * A sleep that is itself the point of a test (nothing must happen within a window, a lease must
 * expire) stays a sleep, with a comment saying so.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export type EventuallyOptions = {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Wait this long between two checks (default 20 ms). */
  intervalMs?: number;
  /** What is awaited, for the failure message ("job 3 to succeed"). */
  message?: string;
};

/**
 * Runs `check` until it holds, and returns its value. A check holds when it neither throws (a failed
 * assertion) nor returns `false`; so it may be a predicate, a block of assertions, or assertions ending
 * in `return value`. When `timeoutMs` passes first, rejects with an error naming `message` and carrying
 * the last failure as its cause.
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  options: EventuallyOptions = {},
): Promise<Exclude<T, false>> {
  const { timeoutMs = 10_000, intervalMs = 20, message = 'the condition' } = options;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    let failure: unknown;
    try {
      const value = await check();
      if (value !== false) return value as Exclude<T, false>;
      failure = undefined;
    } catch (error) {
      failure = error;
    }
    if (Date.now() >= deadline) {
      const why = failure === undefined ? 'the check returned false' : describe(failure);
      throw new Error(`timed out after ${timeoutMs} ms (${attempt} checks) waiting for ${message}: ${why}`, {
        cause: failure,
      });
    }
    await sleep(intervalMs);
  }
}

function describe(failure: unknown): string {
  return failure instanceof Error ? failure.message : String(failure);
}
