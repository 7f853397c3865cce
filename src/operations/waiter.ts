/**
 * Wake-ups for requests waiting on an operation (POST /v1/operations/{id}:wait). Within a process,
 * `notify(id)` wakes that operation's waiters at once; across processes, the NOTIFY that settling
 * queues (src/operations/notify.ts) arrives on a LISTEN connection and does the same. A wake-up only
 * says "read the row again", so none is ever trusted or required: every wait also ends after a slow
 * fallback interval, and all waiters are woken when the LISTEN connection is (re)established, so a
 * lost wake-up costs latency, never a missed settlement.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { OPERATIONS_CHANNEL } from './notify.ts';

/** How long a waiter sleeps without a wake-up before it re-reads anyway. */
export const FALLBACK_MS = 2000;

export type OperationWaiter = {
  /** Wakes this process's waiters of operation `id` (call after the commit that changed it). */
  notify(id: string): void;
  /**
   * Resolves when operation `id` is notified, after `timeoutMs` or the fallback interval (whichever is
   * sooner), or when `signal` aborts. It never rejects: the caller re-reads the row and decides.
   * Registration is synchronous, so call it before reading the row to miss no wake-up.
   */
  wait(id: string, timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /** Wakes every waiter and stops listening. */
  close(): Promise<void>;
};

export function createOperationWaiter(
  database: Database,
  log: Logger,
  options: { fallbackMs?: number } = {},
): OperationWaiter {
  const fallbackMs = options.fallbackMs ?? FALLBACK_MS;
  const waiting = new Map<string, Set<() => void>>();
  let closed = false;
  const wake = (id: string) => {
    for (const resolve of [...(waiting.get(id) ?? [])]) resolve();
  };
  const wakeAll = () => {
    for (const id of [...waiting.keys()]) wake(id);
  };
  const stopListening = database.listen?.(OPERATIONS_CHANNEL, wake, () => {
    // (Re)connected: notifications sent while we were not listening are gone.
    if (waiting.size > 0)
      log.debug({ waiting: waiting.size }, 'operations listener connected; waking waiters');
    wakeAll();
  });

  return {
    notify: wake,
    wait(id, timeoutMs, signal) {
      if (closed || signal?.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        let set = waiting.get(id);
        if (!set) waiting.set(id, (set = new Set()));
        const waiters = set;
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          waiters.delete(done);
          if (waiters.size === 0 && waiting.get(id) === waiters) waiting.delete(id);
          resolve();
        };
        waiters.add(done);
        const timer = setTimeout(done, Math.max(0, Math.min(timeoutMs, fallbackMs)));
        signal?.addEventListener('abort', done, { once: true });
      });
    },
    async close() {
      closed = true;
      wakeAll();
      await stopListening?.();
    },
  };
}
