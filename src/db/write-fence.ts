/**
 * Write fences: a piece of async work (an idempotent request) that must run a guard statement before
 * its first write, on the same connection, so in the same transaction as that write. The idempotency
 * layer uses it to mark its key's record "written" atomically with the request's first effect, and to
 * refuse the effect when the request no longer owns its key (docs/api-conventions.md, Idempotency keys).
 *
 * The dialect wrapper sees every statement, so no service has to cooperate: a statement other than a
 * plain SELECT, run inside the work's async context while the fence is open, first runs the guard. In a
 * transaction the mark counts once the transaction commits; a rollback takes it back with the write.
 * Fences nest (a snippet's platform.request() inside an idempotent request): a write marks each open one.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type {
  AbortableOperationOptions,
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  Kysely,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';

export type WriteFence = {
  /** The guard: run before the first write; it must change exactly one row or the write is refused. */
  guard(): CompiledQuery;
  /** The error a refused write throws. */
  refused(): Error;
  /** Called once the guard has committed (with the first write, or before it outside a transaction). */
  written?(): void;
};

type Scope = { fence: WriteFence; state: 'open' | 'written' | 'closed'; parent: Scope | undefined };

const scopes = new AsyncLocalStorage<Scope>();

function markWritten(scope: Scope): void {
  if (scope.state !== 'open') return;
  scope.state = 'written';
  scope.fence.written?.();
}

/**
 * Runs `fn` behind the fence: its first write (in its async context, including work it starts) runs
 * the guard first. The fence closes when `fn` settles: later writes of work it left behind pass freely.
 */
export async function runFenced<T>(fence: WriteFence, fn: () => Promise<T>): Promise<T> {
  const scope: Scope = { fence, state: 'open', parent: scopes.getStore() };
  try {
    return await scopes.run(scope, fn);
  } finally {
    scope.state = 'closed';
  }
}

/** Wraps a dialect so that fenced work runs its guard before its first write. */
export function fencedDialect(inner: Dialect): Dialect {
  return {
    createDriver: () => new FencedDriver(inner.createDriver()),
    createQueryCompiler: (): QueryCompiler => inner.createQueryCompiler(),
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db: Kysely<any>) => inner.createIntrospector(db),
  };
}

/** Anything but a plain SELECT may write (raw SQL can call functions that do, a CTE can update). */
function mayWrite(query: CompiledQuery): boolean {
  const node = query.query;
  return node.kind !== 'SelectQueryNode' || node.with !== undefined;
}

class FencedConnection implements DatabaseConnection {
  readonly inner: DatabaseConnection;
  inTransaction = false;
  /** Fences marked inside the open transaction: written once it commits. */
  pending: Scope[] = [];
  constructor(inner: DatabaseConnection) {
    this.inner = inner;
  }

  async executeQuery<R>(query: CompiledQuery, options?: AbortableOperationOptions): Promise<QueryResult<R>> {
    if (mayWrite(query)) {
      for (let scope = scopes.getStore(); scope; scope = scope.parent) {
        if (scope.state !== 'open' || this.pending.includes(scope)) continue;
        const marked = await this.inner.executeQuery(scope.fence.guard(), options);
        if (marked.numAffectedRows !== 1n) throw scope.fence.refused();
        if (this.inTransaction) this.pending.push(scope);
        else markWritten(scope);
      }
    }
    return this.inner.executeQuery<R>(query, options);
  }

  streamQuery<R>(
    query: CompiledQuery,
    chunkSize: number,
    options?: AbortableOperationOptions,
  ): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize, options);
  }
}

class FencedDriver implements Driver {
  readonly #inner: Driver;
  constructor(inner: Driver) {
    this.#inner = inner;
    const savepoints = ['savepoint', 'rollbackToSavepoint', 'releaseSavepoint'] as const;
    for (const name of savepoints) {
      const method = inner[name]?.bind(inner);
      if (!method) continue;
      this[name] = async (connection, savepoint, compile) => {
        const conn = connection as FencedConnection;
        // A rollback to a savepoint may take a guard back: the next write runs it again (harmless).
        if (name === 'rollbackToSavepoint') conn.pending = [];
        await method(conn.inner, savepoint, compile);
      };
    }
  }
  savepoint?: Driver['savepoint'];
  rollbackToSavepoint?: Driver['rollbackToSavepoint'];
  releaseSavepoint?: Driver['releaseSavepoint'];

  init(options?: AbortableOperationOptions): Promise<void> {
    return this.#inner.init(options);
  }
  async acquireConnection(options?: AbortableOperationOptions): Promise<DatabaseConnection> {
    return new FencedConnection(await this.#inner.acquireConnection(options));
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const conn = connection as FencedConnection;
    await this.#inner.beginTransaction(conn.inner, settings);
    conn.inTransaction = true;
    conn.pending = [];
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const conn = connection as FencedConnection;
    await this.#inner.commitTransaction(conn.inner);
    for (const scope of conn.pending) markWritten(scope);
    conn.inTransaction = false;
    conn.pending = [];
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const conn = connection as FencedConnection;
    conn.inTransaction = false;
    conn.pending = [];
    await this.#inner.rollbackTransaction(conn.inner);
  }
  releaseConnection(connection: DatabaseConnection, options?: AbortableOperationOptions): Promise<void> {
    return this.#inner.releaseConnection((connection as FencedConnection).inner, options);
  }
  destroy(options?: AbortableOperationOptions): Promise<void> {
    return this.#inner.destroy(options);
  }
}
