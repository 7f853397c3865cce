/**
 * The main-thread side of the PGlite worker (src/db/pglite-worker.ts): starts it, forwards queries and
 * scripts to it, and turns its error reports back into errors carrying Postgres' fields (code,
 * constraint, detail…), so callers cannot tell it from a direct connection.
 */
import { Worker } from 'node:worker_threads';
import type { QueryOutcome, WorkerRequest, WorkerResponse } from './pglite-worker.ts';

export type PgliteClient = {
  query(sql: string, params: readonly unknown[]): Promise<QueryOutcome>;
  exec(script: string): Promise<void>;
  close(): Promise<void>;
};

/** An error reported by Postgres inside the worker. */
export class PgliteError extends Error {
  override name = 'PgliteError';
  code?: string;
  constraint?: string;
  detail?: string;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

type Pending = { resolve(value: QueryOutcome | null): void; reject(error: Error): void };

export async function startPgliteWorker(dataDir: string | undefined): Promise<PgliteClient> {
  const worker = new Worker(new URL('./pglite-worker.ts', import.meta.url), { workerData: { dataDir } });
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let failure: Error | undefined;

  const ready = new Promise<void>((resolve, reject) => {
    pending.set(0, { resolve: () => resolve(), reject });
  });
  worker.on('message', (response: WorkerResponse) => {
    const entry = pending.get(response.id);
    if (!entry) return;
    pending.delete(response.id);
    if (response.ok) entry.resolve(response.result);
    else entry.reject(Object.assign(new PgliteError(response.error.message), response.error));
  });
  const failAll = (error: Error) => {
    failure = error;
    for (const entry of pending.values()) entry.reject(error);
    pending.clear();
  };
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => failAll(new Error(`the PGlite worker exited (code ${code})`)));
  await ready;

  const call = (request: DistributiveOmit<WorkerRequest, 'id'>): Promise<QueryOutcome | null> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id });
    });
  };

  return {
    /** Sends the query synchronously (before returning the promise), which the dialect relies on. */
    query(sql, params) {
      return call({ op: 'query', sql, params: [...params] }) as Promise<QueryOutcome>;
    },
    async exec(script) {
      await call({ op: 'exec', sql: script });
    },
    async close() {
      if (failure) return;
      await call({ op: 'close' });
      await worker.terminate();
    },
  };
}
