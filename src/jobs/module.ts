/**
 * The job queue as a module: its own housekeeping (finished jobs are deleted after their retention). The
 * runners themselves are made by the composition root, which knows the process's role and sizes.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.ts';
import { defineModule } from '../module.ts';
import { purgeFinishedJobs } from './store.ts';

/** How often finished jobs past their retention are deleted. */
const PURGE_INTERVAL_MS = 10 * 60_000;

export function jobsModule(deps: { db: Kysely<DB>; log: Logger }) {
  const { db, log } = deps;
  return defineModule({
    name: 'jobs',
    periodic: [
      {
        name: 'purging finished jobs',
        everyMs: PURGE_INTERVAL_MS,
        async run() {
          const removed = await purgeFinishedJobs(db);
          if (removed > 0) log.debug({ removed }, 'purged finished jobs');
          return removed;
        },
      },
    ],
  });
}
