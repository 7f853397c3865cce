/**
 * Numbered SQL migrations (src/db/migrations/NNNN_name.sql), applied in order at start-up and by
 * `atoll migrate`, each atomically together with its row in atoll_schema_migrations. The server refuses
 * a schema newer than the code knows, and a migration whose text changed after it was applied.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sha256Hex } from '../lib/digest.ts';
import type { AdminConnection, Database } from './database.ts';
import { ledgerVersion } from './store.ts';

export type Migration = { version: number; name: string; sql: string; checksum: string };

export type SchemaStatus = { current: number; latest: number };

/** The schema in the database cannot be used by this build. */
export class SchemaError extends Error {
  override name = 'SchemaError';
}

const MIGRATIONS_DIR = path.join(import.meta.dirname, 'migrations');
const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Reads the migration files, checking that versions are 1..n without gaps. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const migrations = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .map((file) => {
      const match = FILE_PATTERN.exec(file);
      if (!match) throw new Error(`migration file ${file} is not named NNNN_name.sql`);
      const sql = fs.readFileSync(path.join(dir, file), 'utf8').replace(/\r\n/g, '\n');
      return {
        version: Number(match[1]),
        name: match[2]!,
        sql,
        checksum: sha256Hex(sql),
      };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migrations must be numbered 1..n without gaps; found ${m.version} at ${i + 1}`);
  });
  return migrations;
}

const LEDGER = `CREATE TABLE IF NOT EXISTS atoll_schema_migrations (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  checksum   text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

type LedgerRow = { version: number; name: string; checksum: string };

/**
 * Applies pending migrations and returns the ones applied. Throws SchemaError when the database is ahead
 * of this build or an applied migration's text has changed.
 */
export async function migrate(
  database: Database,
  migrations: Migration[] = loadMigrations(),
): Promise<Migration[]> {
  return database.withAdminConnection(async (conn) => {
    await conn.exec(LEDGER);
    const applied = await readLedger(conn);
    verifyLedger(applied, migrations);
    const pending = migrations.filter((m) => !applied.some((a) => a.version === m.version));
    for (const m of pending) {
      const record = `INSERT INTO atoll_schema_migrations (version, name, checksum) VALUES (${m.version}, '${m.name}', '${m.checksum}')`;
      await conn.exec(`${m.sql}\n;\n${record};`);
    }
    return pending;
  });
}

/** The version the database is at and the newest this build knows. */
export async function schemaStatus(
  database: Database,
  migrations: Migration[] = loadMigrations(),
): Promise<SchemaStatus> {
  return { current: await ledgerVersion(database.db), latest: migrations.length };
}

async function readLedger(conn: AdminConnection): Promise<LedgerRow[]> {
  return conn.query<LedgerRow>(
    'SELECT version, name, checksum FROM atoll_schema_migrations ORDER BY version',
  );
}

function verifyLedger(applied: LedgerRow[], migrations: Migration[]): void {
  const latest = migrations.length;
  const newest = applied.at(-1)?.version ?? 0;
  if (newest > latest) {
    throw new SchemaError(
      `the database schema is at version ${newest} but this Atoll build only knows versions up to ${latest}; ` +
        'it was migrated by a newer Atoll. Run that newer version (downgrades are not supported).',
    );
  }
  for (const row of applied) {
    const known = migrations[row.version - 1];
    if (known && known.checksum !== row.checksum) {
      throw new SchemaError(
        `migration ${String(row.version).padStart(4, '0')}_${row.name} was changed after it was applied; ` +
          'restore the original file and add a new migration instead.',
      );
    }
  }
}
