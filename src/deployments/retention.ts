/**
 * Sandbox housekeeping on a worker host: removes retained sandboxes whose retention expired, and at
 * start-up the directories of sandboxes that no run or service owns any more (left by a crash).
 * Only directories on this host are touched; another host's retained sandboxes are its own to sweep.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.ts';
import type { SandboxDriver } from '../sandbox/driver.ts';
import { listExpiredRetainedRuns, listRunOwnedSandboxes, markRunSandboxRemoved } from './runs/store.ts';
import { listServiceOwnedSandboxes } from './services/store.ts';

/** Removes expired retained sandboxes found on this host; returns how many. */
export async function sweepRetained(db: Kysely<DB>, driver: SandboxDriver): Promise<number> {
  const local = new Set(await driver.list());
  if (local.size === 0) return 0;
  const due = await listExpiredRetainedRuns(db);
  let removed = 0;
  for (const run of due) {
    if (!run.sandbox_id || !local.has(run.sandbox_id)) continue;
    await driver.remove(run.sandbox_id);
    await markRunSandboxRemoved(db, run.id);
    removed++;
  }
  return removed;
}

/** Removes local sandbox directories that no active or retained run, nor a live service, owns. */
export async function removeOrphans(db: Kysely<DB>, driver: SandboxDriver, log: Logger): Promise<number> {
  const local = await driver.list();
  if (local.length === 0) return 0;
  const owned = new Set([
    ...(await listRunOwnedSandboxes(db, local)),
    ...(await listServiceOwnedSandboxes(db, local)),
  ]);
  let removed = 0;
  for (const id of local) {
    if (owned.has(id)) continue;
    await driver.remove(id);
    removed++;
  }
  if (removed > 0) log.info({ removed }, 'removed orphaned sandbox directories');
  return removed;
}
