/**
 * The operations domain wired together: the service behind /v1/operations, the waiter that wakes
 * :wait requests, and the registry of cancellers other domains add to (installs registers
 * "install.render"). Domains that run operations settle them with `settle`, or with `settleOperation`
 * inside their own transaction followed by `waiter.notify(id)` after the commit.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { DB } from '../db/schema.ts';
import type { ApiApp } from '../http/context.ts';
import { registerOperationRoutes } from './routes.ts';
import { createOperationService, type Canceller } from './service.ts';
import { settleOperation, type Settlement } from './store.ts';
import { createOperationWaiter } from './waiter.ts';

export type OperationsModule = ReturnType<typeof operationsModule>;

export function operationsModule(deps: {
  db: Kysely<DB>;
  database: Database;
  publicUrl: string;
  log: Logger;
  /** Re-read interval of waiters without a wake-up; default 2 s. */
  fallbackMs?: number;
}) {
  const waiter = createOperationWaiter(deps.database, deps.log, { fallbackMs: deps.fallbackMs });
  const cancellers = new Map<string, Canceller>();
  const service = createOperationService({ db: deps.db, publicUrl: deps.publicUrl, waiter, cancellers });
  return {
    service,
    waiter,
    /** Makes operations whose `metadata.type` is `type` cancellable; one canceller per type. */
    registerCanceller(type: string, canceller: Canceller): void {
      if (cancellers.has(type))
        throw new Error(`a canceller for operations of type ${type} is already registered`);
      cancellers.set(type, canceller);
    },
    /**
     * Settles a RUNNING operation outside any transaction and wakes its waiters in this process (other
     * processes by the NOTIFY the settlement sends). False when it had already settled.
     */
    async settle(id: string, settlement: Settlement): Promise<boolean> {
      const moved = await settleOperation(deps.db, id, settlement);
      if (moved) waiter.notify(id);
      return moved;
    },
    name: 'operations',
    routes(app: ApiApp): void {
      registerOperationRoutes(app, service);
    },
    close: () => waiter.close(),
  };
}
