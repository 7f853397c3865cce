/**
 * Sandbox admission: runs queued or running, live services and retained sandboxes all hold a
 * sandbox slot. Checked under a transaction-scoped advisory lock so that concurrent creates cannot
 * both take the last slot; the caller inserts its row in the same transaction, or writes nothing.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { capacityExceeded } from './errors.ts';

const LOCK_KEY = 0x41544f4c; // "ATOL"

/** Sandbox slots taken now, by every workspace together (the capacity is the server's). */
export async function sandboxesInUse(db: Kysely<DB>): Promise<number> {
  const { rows } = await sql<{ used: number }>`
    SELECT
      (SELECT count(*) FROM agent_runs WHERE status IN ('queued', 'starting', 'installing', 'running'))
    + (SELECT count(*) FROM agent_runs WHERE retained_until IS NOT NULL AND sandbox_removed_at IS NULL
         AND status NOT IN ('queued', 'starting', 'installing', 'running'))
    + (SELECT count(*) FROM agent_services WHERE status IN ('starting', 'ready', 'unhealthy', 'stopping'))
    AS used`.execute(db);
  return Number(rows[0]!.used);
}

/** Throws 429 capacity_exceeded when no slot is free; call inside the transaction that inserts. */
export async function admitSandbox(tx: Kysely<DB>, capacity: number): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${LOCK_KEY})`.execute(tx);
  if ((await sandboxesInUse(tx)) >= capacity) throw capacityExceeded(capacity);
}
