/**
 * A Kysely dialect over the PGlite worker (src/db/pglite-client.ts). PGlite is one Postgres session, and
 * the worker runs what it is sent in order, so queries outside transactions are sent at once without
 * waiting for each other's replies (the worker core stays busy while the main thread handles HTTP).
 * A transaction takes the session exclusively: queries of other callers wait at the gate until it
 * commits or rolls back, so none of them can run inside it.
 */
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { PgliteClient } from './pglite-client.ts';

export class PGliteWorkerDialect implements Dialect {
  readonly #client: PgliteClient;
  constructor(client: PgliteClient) {
    this.#client = client;
  }
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteWorkerDriver(this.#client);
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

/** Who holds the session for a transaction, and a promise that settles when they let go. */
class TransactionGate {
  #owner: GatedConnection | undefined;
  #released: Promise<void> = Promise.resolve();
  #release: () => void = () => {};

  /** Whether another caller's transaction holds the session. */
  blocks(conn: GatedConnection): boolean {
    return this.#owner !== undefined && this.#owner !== conn;
  }

  /** Settles when the current transaction ends. */
  get released(): Promise<void> {
    return this.#released;
  }

  async acquire(conn: GatedConnection): Promise<void> {
    while (this.#owner !== undefined) await this.#released;
    this.#owner = conn;
    this.#released = new Promise((resolve) => (this.#release = resolve));
  }

  release(conn: GatedConnection): void {
    if (this.#owner !== conn) return;
    this.#owner = undefined;
    this.#release();
  }
}

class PGliteWorkerDriver implements Driver {
  readonly #client: PgliteClient;
  readonly #gate = new TransactionGate();
  constructor(client: PgliteClient) {
    this.#client = client;
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return new GatedConnection(this.#client, this.#gate);
  }
  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const conn = connection as GatedConnection;
    await this.#gate.acquire(conn);
    const parts = ['START TRANSACTION'];
    if (settings.isolationLevel) parts.push(`ISOLATION LEVEL ${settings.isolationLevel.toUpperCase()}`);
    if (settings.accessMode) parts.push(settings.accessMode.toUpperCase());
    try {
      await conn.executeQuery(CompiledQuery.raw(parts.join(' ')));
    } catch (error) {
      this.#gate.release(conn);
      throw error;
    }
  }
  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await this.#end(connection as GatedConnection, 'COMMIT');
  }
  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await this.#end(connection as GatedConnection, 'ROLLBACK');
  }
  async #end(conn: GatedConnection, statement: string): Promise<void> {
    try {
      await conn.executeQuery(CompiledQuery.raw(statement));
    } finally {
      this.#gate.release(conn);
    }
  }
  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`SAVEPOINT "${name}"`));
  }
  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`ROLLBACK TO SAVEPOINT "${name}"`));
  }
  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`RELEASE SAVEPOINT "${name}"`));
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.#gate.release(connection as GatedConnection); // a transaction abandoned without COMMIT/ROLLBACK
  }
  async destroy(): Promise<void> {
    // The worker belongs to src/db/database.ts, which closes it.
  }
}

class GatedConnection implements DatabaseConnection {
  readonly #client: PgliteClient;
  readonly #gate: TransactionGate;
  constructor(client: PgliteClient, gate: TransactionGate) {
    this.#client = client;
    this.#gate = gate;
  }

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    while (this.#gate.blocks(this)) await this.#gate.released;
    // No await between the check above and the send below: the worker receives this query before
    // any BEGIN of a transaction that starts after the check.
    const result = await this.#client.query(compiled.sql, compiled.parameters);
    return {
      rows: result.rows as R[],
      numAffectedRows:
        result.affectedRows !== undefined && result.command !== 'SELECT'
          ? BigInt(result.affectedRows)
          : undefined,
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported on PGlite');
  }
}
