/**
 * The cross-process wake-up of operation waiters: a Postgres NOTIFY on `atoll_operations` whose payload
 * is the operation id. Sent by the statement or transaction that settles the operation, so Postgres
 * delivers it at commit, when a re-read will see the new state. It only says "read again".
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export const OPERATIONS_CHANNEL = 'atoll_operations';

/**
 * Queues a wake-up for waiters of operation `id` in every process. Inside a transaction it is sent at
 * commit (and dropped on rollback). On the embedded store pg_notify is accepted and reaches no one;
 * there the in-process `waiter.notify(id)` does the waking.
 */
export async function notifyOperationSql(db: Kysely<DB>, id: string): Promise<void> {
  await sql`SELECT pg_notify(${OPERATIONS_CHANNEL}, ${id})`.execute(db);
}
