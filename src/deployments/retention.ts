/**
 * Sandbox housekeeping on a worker host: removes retained sandboxes whose retention expired, and at
 * start-up the directories of sandboxes that no run or service owns any more (left by a crash).
 * Only directories on this host are touched; another host's retained sandboxes are its own to sweep.
 */
import { sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.ts';
import type { SandboxDriver } from '../sandbox/driver.ts';

/** Removes expired retained sandboxes found on this host; returns how many. */
export async function sweepRetained(db: Kysely<DB>, driver: SandboxDriver): Promise<number> {
  const local = new Set(await driver.list());
  if (local.size === 0) return 0;
  const due = await db
    .selectFrom('agent_runs')
    .select(['id', 'sandbox_id'])
    .where('retained_until', '<=', sql<Date>`now()`)
    .where('sandbox_removed_at', 'is', null)
    .execute();
  let removed = 0;
  for (const run of due) {
    if (!run.sandbox_id || !local.has(run.sandbox_id)) continue;
    await driver.remove(run.sandbox_id);
    await db
      .updateTable('agent_runs')
      .set({ sandbox_removed_at: new Date() })
      .where('id', '=', run.id)
      .execute();
    removed++;
  }
  return removed;
}

/** Removes local sandbox directories that no active or retained run, nor a live service, owns. */
export async function removeOrphans(db: Kysely<DB>, driver: SandboxDriver, log: Logger): Promise<number> {
  const local = await driver.list();
  if (local.length === 0) return 0;
  const owned = new Set(
    [
      ...(await db
        .selectFrom('agent_runs')
        .select('sandbox_id')
        .where('sandbox_id', 'in', local)
        .where((eb) =>
          eb.or([
            eb('status', 'in', ['starting', 'installing', 'running']),
            eb.and([eb('retained_until', 'is not', null), eb('sandbox_removed_at', 'is', null)]),
          ]),
        )
        .execute()),
      ...(await db
        .selectFrom('agent_services')
        .select('sandbox_id')
        .where('sandbox_id', 'in', local)
        .where('status', 'in', ['starting', 'ready', 'unhealthy', 'stopping'])
        .execute()),
    ].map((r) => r.sandbox_id),
  );
  let removed = 0;
  for (const id of local) {
    if (owned.has(id)) continue;
    await driver.remove(id);
    removed++;
  }
  if (removed > 0) log.info({ removed }, 'removed orphaned sandbox directories');
  return removed;
}
