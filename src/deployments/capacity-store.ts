/** SQL of sandbox admission: the slots taken now and the lock that serialises admissions (capacity.ts). */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

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

/** Takes the transaction-scoped advisory lock under which admissions are checked one at a time. */
export async function lockSandboxAdmission(tx: Kysely<DB>): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${LOCK_KEY})`.execute(tx);
}

/** Sandbox slots one workspace takes now, counted as sandboxesInUse counts them all. */
export async function workspaceSandboxesInUse(db: Kysely<DB>, workspaceId: string): Promise<number> {
  const { rows } = await sql<{ used: number }>`
    SELECT
      (SELECT count(*) FROM agent_runs WHERE workspace_id = ${workspaceId}
         AND status IN ('queued', 'starting', 'installing', 'running'))
    + (SELECT count(*) FROM agent_runs WHERE workspace_id = ${workspaceId}
         AND retained_until IS NOT NULL AND sandbox_removed_at IS NULL
         AND status NOT IN ('queued', 'starting', 'installing', 'running'))
    + (SELECT count(*) FROM agent_services WHERE workspace_id = ${workspaceId}
         AND status IN ('starting', 'ready', 'unhealthy', 'stopping'))
    AS used`.execute(db);
  return Number(rows[0]!.used);
}
