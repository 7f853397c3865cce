/**
 * The one database seam: Kysely over embedded PGlite (a data directory, or memory in tests) or over
 * Postgres through a `pg` pool. Both speak the same SQL dialect, so everything above this file is
 * written once. An `AdminConnection` runs multi-statement migration scripts under a lock that
 * serialises migrators across processes. Both dialects are wrapped by the write fence (write-fence.ts)
 * that idempotent requests use.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { startPgliteWorker, type PgliteClient } from './pglite-client.ts';
import { PGliteWorkerDialect } from './pglite-dialect.ts';
import type { DB } from './schema.ts';
import { fencedDialect } from './write-fence.ts';

export type DatabaseKind = 'pglite' | 'postgres';

export type DatabaseOptions =
  | { kind: 'pglite'; /** data directory; in memory when undefined */ dataDir: string | undefined }
  | {
      kind: 'postgres';
      url: string;
      poolSize: number;
      /** search_path schema, created if missing */ schema?: string;
    };

/** A connection for migrations: plain queries and multi-statement scripts (run atomically). */
export type AdminConnection = {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** Runs a script of several statements as one implicit transaction (simple query protocol). */
  exec(script: string): Promise<void>;
};

export type Database = {
  readonly kind: DatabaseKind;
  readonly db: Kysely<DB>;
  /**
   * LISTENs on a channel on a dedicated connection (Postgres only; the embedded store is one process,
   * which needs no cross-process wake-ups). `onConnect` runs after every (re)connection. Returns a stop function.
   */
  listen?(channel: string, onNotify: (payload: string) => void, onConnect: () => void): () => Promise<void>;
  /** Runs `fn` with an admin connection while holding the cross-process migration lock. */
  withAdminConnection<T>(fn: (conn: AdminConnection) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

/** Raised when another live process holds the embedded store's data directory. */
export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
}

const INT8_OID = 20;
const MIGRATION_LOCK_KEY = 727_274_001;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.kind === 'pglite' ? openPglite(options.dataDir) : openPostgres(options);
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  const release = dataDir ? lockDataDir(dataDir) : () => {};
  let client: PgliteClient;
  try {
    if (dataDir) fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    client = await startPgliteWorker(dataDir);
  } catch (error) {
    release();
    throw error;
  }
  const db = new Kysely<DB>({ dialect: fencedDialect(new PGliteWorkerDialect(client)) });
  const admin: AdminConnection = {
    async query<R>(text: string, params?: unknown[]) {
      return (await client.query(text, params ?? [])).rows as R[];
    },
    exec: (script) => client.exec(script),
  };
  let closed = false;
  return {
    kind: 'pglite',
    db,
    withAdminConnection: (fn) => fn(admin),
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      await client.close();
      release();
    },
  };
}

async function openPostgres(options: { url: string; poolSize: number; schema?: string }): Promise<Database> {
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID
        ? (v: string) => Number(v)
        : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
  };
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    types,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on next use. Queries in flight still fail.
  });
  if (options.schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
  const db = new Kysely<DB>({ dialect: fencedDialect(new PostgresDialect({ pool })) });
  return {
    kind: 'postgres',
    db,
    listen: (channel, onNotify, onConnect) =>
      listenForever({ connectionString: options.url, types }, channel, onNotify, onConnect),
    async withAdminConnection(fn) {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        try {
          return await fn({
            async query<R>(text: string, params?: unknown[]) {
              return (await client.query(text, params)).rows as R[];
            },
            async exec(script) {
              await client.query(script);
            },
          });
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
        }
      } finally {
        client.release();
      }
    },
    async close() {
      await db.destroy();
    },
  };
}

/** Keeps one client LISTENing on `channel`, reconnecting with backoff when the connection drops. */
function listenForever(
  config: pg.ClientConfig,
  channel: string,
  onNotify: (payload: string) => void,
  onConnect: () => void,
): () => Promise<void> {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delay = 100;
  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client(config);
    client = c;
    c.on('notification', (msg) => {
      if (msg.channel === channel && msg.payload !== undefined) onNotify(msg.payload);
    });
    const reconnect = () => {
      if (stopped || client !== c) return;
      client = undefined;
      c.removeAllListeners();
      c.end().catch(() => {});
      retry = setTimeout(() => void connect(), delay);
      delay = Math.min(delay * 2, 5000);
    };
    c.on('error', reconnect);
    c.on('end', reconnect);
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      delay = 100;
      onConnect();
    } catch {
      reconnect();
    }
  };
  void connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const c = client;
    client = undefined;
    if (c) {
      c.removeAllListeners();
      c.on('error', () => {});
      await c.end().catch(() => {});
    }
  };
}

/**
 * PGlite keeps its data in one process only: a lock file with our pid keeps a second process (a CLI
 * command while the server runs) from opening the same directory and corrupting it.
 */
function lockDataDir(dataDir: string): () => void {
  // DATA_DIR itself is 0711: sandbox uids must traverse it to their own directories (docs/sandbox.md);
  // what is inside keeps its own modes (this store 0700, tokens and keys 0600).
  fs.mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o711 });
  const lockPath = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => fs.rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(fs.readFileSync(lockPath, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new DataDirLockedError(
          `the embedded store ${dataDir} is in use by process ${holder} (probably a running "atoll serve"). ` +
            `Stop it first, or do this through its HTTP API; if no such process exists, delete ${lockPath}.`,
        );
      }
      fs.rmSync(lockPath, { force: true }); // stale lock of a process that is gone
    }
  }
  throw new DataDirLockedError(`could not lock ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
