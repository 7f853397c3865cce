/**
 * Operations as the API serves them: get, list, wait (a server-side long poll) and cancel. Cancelling
 * is not done here: each kind of operation (`metadata.type`) that can be cancelled has a canceller,
 * registered by the domain that runs it, which asks the work to stop; the work then settles the
 * operation CANCELLED (or finishes first). Kinds without one cannot be cancelled (422).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Caller } from '../http/context.ts';
import { ApiError, notFound } from '../http/errors.ts';
import { toPage, type Page, type PageRequest } from '../http/pagination.ts';
import { toOperation, toOperationSummary } from './resources.ts';
import { assertOperationIfMatch } from './revision.ts';
import type { Operation } from './schemas.ts';
import * as store from './store.ts';
import type { OperationWaiter } from './waiter.ts';

/**
 * Asks the work behind a RUNNING operation to stop. It may return before the work has stopped; it must
 * tolerate the operation settling meanwhile. Throwing an ApiError refuses the request with it.
 */
export type Canceller = (operation: store.OperationRow, caller: Caller) => Promise<void>;

export type OperationServiceDeps = {
  db: Kysely<DB>;
  publicUrl: string;
  waiter: OperationWaiter;
  /** Cancellers by `metadata.type`, e.g. "install.render"; read at each request, so domains may add later. */
  cancellers: ReadonlyMap<string, Canceller>;
};

export type OperationService = ReturnType<typeof createOperationService>;

export function createOperationService(deps: OperationServiceDeps) {
  const { db, publicUrl, waiter, cancellers } = deps;

  const read = async (workspaceId: string, id: string): Promise<store.OperationRow> => {
    const row = await store.findOperation(db, workspaceId, id);
    if (!row) throw notFound('operation', id);
    return row;
  };

  return {
    async get(workspaceId: string, id: string): Promise<Operation> {
      return toOperation(await read(workspaceId, id), publicUrl);
    },

    async list(
      workspaceId: string,
      filter: store.OperationFilter,
      page: PageRequest,
    ): Promise<Page<Operation>> {
      const rows = await store.listOperations(db, workspaceId, filter, page);
      return toPage(rows, page, (row) => toOperationSummary(row, publicUrl));
    },

    /**
     * The operation once it is done, or as it is when `timeoutMs` has passed or `signal` aborted (the
     * client went away). Holds no database connection while it sleeps.
     */
    async wait(workspaceId: string, id: string, timeoutMs: number, signal?: AbortSignal): Promise<Operation> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // Start listening before reading, so a settlement between the read and the sleep still wakes us.
        const stop = new AbortController();
        const woken = waiter.wait(
          id,
          deadline - Date.now(),
          signal ? AbortSignal.any([signal, stop.signal]) : stop.signal,
        );
        try {
          const row = await read(workspaceId, id);
          if (row.state !== 'RUNNING' || Date.now() >= deadline || signal?.aborted)
            return toOperation(row, publicUrl);
          await woken;
        } finally {
          stop.abort();
        }
      }
    },

    /** Asks a RUNNING operation to stop and returns it as it is now (the stop itself is asynchronous). */
    async cancel(workspaceId: string, caller: Caller, id: string, ifMatch?: string): Promise<Operation> {
      const row = await read(workspaceId, id);
      if (row.state !== 'RUNNING') {
        throw new ApiError(
          'INVALID_ARGUMENT',
          {
            message: `operation ${id} is already ${row.state}; only a RUNNING operation can be cancelled`,
            path: ['path', 'id'],
            metadata: { state: row.state },
          },
          { code: 'operation_done' },
        );
      }
      // After the state check: a settled operation is 422 whatever revision the client holds.
      if (ifMatch !== undefined) assertOperationIfMatch(ifMatch, toOperation(row, publicUrl));
      const type = typeof row.metadata.type === 'string' ? row.metadata.type : undefined;
      const canceller = type === undefined ? undefined : cancellers.get(type);
      if (!canceller) {
        throw new ApiError(
          'INVALID_ARGUMENT',
          {
            message: `operations of type ${type ?? '(none)'} cannot be cancelled; wait for this one to finish`,
            path: ['path', 'id'],
            metadata: { type: type ?? '' },
          },
          { code: 'not_cancellable' },
        );
      }
      await canceller(row, caller);
      return toOperation(await read(workspaceId, id), publicUrl);
    },
  };
}
