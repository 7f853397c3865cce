/**
 * Sandbox admission: runs queued or running, live services and retained sandboxes all hold a
 * sandbox slot. Checked under a transaction-scoped advisory lock so that concurrent creates cannot
 * both take the last slot; the caller inserts its row in the same transaction, or writes nothing.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { lockSandboxAdmission, sandboxesInUse, workspaceSandboxesInUse } from './capacity-store.ts';
import { capacityExceeded } from './errors.ts';

export { sandboxesInUse, workspaceSandboxesInUse };

/** Throws 429 capacity_exceeded when no slot is free; call inside the transaction that inserts. */
export async function admitSandbox(tx: Kysely<DB>, capacity: number): Promise<void> {
  await lockSandboxAdmission(tx);
  if ((await sandboxesInUse(tx)) >= capacity) throw capacityExceeded(capacity);
}
