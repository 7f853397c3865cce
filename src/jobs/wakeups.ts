/**
 * Wake-ups for job runners. A wake-up carries no job, only "look again": that jobs of a kind may be
 * claimable (`ready`, kind `*` for any, e.g. when a serial key frees up) or that a running job was asked
 * to cancel. Across processes they travel as Postgres NOTIFYs on `atoll_jobs`, sent inside the writing
 * transaction and so delivered at its commit; within a process they are published to every runner here.
 *
 * The in-process set is process-wide on purpose: `enqueue(db, …)` runs inside a caller's transaction
 * and cannot reach a runner object. It holds no connection and no job state, so a wake-up that reaches a
 * runner of another store (tests open several) costs one empty claim query, and one that is lost costs
 * latency only: runners also poll.
 */

export const JOBS_CHANNEL = 'atoll_jobs';

/** Any kind: a runner of every kind should look. */
export const ANY_KIND = '*';

export type JobWakeup = { type: 'ready'; kind: string } | { type: 'cancel'; jobId: string };

/** The NOTIFY payload of a wake-up (also what SQL builds with `'ready:' || kind`). */
export function encodeWakeup(wakeup: JobWakeup): string {
  return wakeup.type === 'ready' ? `ready:${wakeup.kind}` : `cancel:${wakeup.jobId}`;
}

/** The wake-up a NOTIFY payload carries, or undefined for one that is not ours. */
export function decodeWakeup(payload: string): JobWakeup | undefined {
  const at = payload.indexOf(':');
  const rest = payload.slice(at + 1);
  if (at < 0 || rest === '') return undefined;
  switch (payload.slice(0, at)) {
    case 'ready':
      return { type: 'ready', kind: rest };
    case 'cancel':
      return { type: 'cancel', jobId: rest };
    default:
      return undefined;
  }
}

type Listener = (wakeup: JobWakeup) => void;
const listeners = new Set<Listener>();

/** Wakes every runner of this process. A listener's error never reaches the publisher. */
export function publishWakeup(wakeup: JobWakeup): void {
  for (const listener of listeners) {
    try {
      listener(wakeup);
    } catch {
      // Runners catch their own errors; a wake-up is advisory anyway.
    }
  }
}

/** Subscribes a runner to this process's wake-ups; returns the unsubscribe function. */
export function subscribeWakeups(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
