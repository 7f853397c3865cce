/**
 * The job queue's own housekeeping: finished jobs are deleted after their retention. The composition root
 * (src/atoll.ts) runs it as the `jobs` module's periodic task, beside the runners it makes; the jobs family
 * sits below the module contract (src/module.ts names job definitions), so it does not import it back.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.ts';
import { purgeFinishedJobs } from './store.ts';

/** How often finished jobs past their retention are deleted. */
const PURGE_INTERVAL_MS = 10 * 60_000;

/** The periodic task (a `PeriodicTask` of src/module.ts) deleting finished jobs past their retention. */
export function purgeFinishedJobsTask(deps: { db: Kysely<DB>; log: Logger }) {
  const { db, log } = deps;
  return {
    name: 'purging finished jobs',
    everyMs: PURGE_INTERVAL_MS,
    async run() {
      const removed = await purgeFinishedJobs(db);
      if (removed > 0) log.debug({ removed }, 'purged finished jobs');
      return removed;
    },
  };
}
