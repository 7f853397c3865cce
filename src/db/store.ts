/**
 * SQL the database layer runs for itself: the readiness ping and the version recorded in the migration
 * ledger (the migration runner, migrate.ts, applies the .sql files on its admin connection).
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';

/** One round trip, to check that the store answers. */
export async function ping(db: Kysely<DB>): Promise<void> {
  await sql`SELECT 1`.execute(db);
}

/** The newest migration recorded in the ledger (0 before any). */
export async function ledgerVersion(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('atoll_schema_migrations')
    .select((eb) => eb.fn.max('version').as('v'))
    .executeTakeFirst();
  return Number(row?.v ?? 0);
}
