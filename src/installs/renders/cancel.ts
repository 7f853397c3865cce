/**
 * Cancelling a render's operation (POST /v1/operations/{id}:cancel). A queued render is cancelled at
 * once; a running one is asked to stop (its job's signal aborts and the worker settles it CANCELLED
 * before committing anything); one waiting for review has no job left, so it is settled here and its
 * change request withdrawn. A render whose commit already landed finishes: cancel arrived too late.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { GitStore } from '../../git/store.ts';
import { cancel } from '../../jobs/queue.ts';
import type { Canceller } from '../../operations/service.ts';
import { settleRender } from './settle.ts';

export function createRenderCanceller(deps: {
  db: Kysely<DB>;
  git: GitStore;
  notifyOperation(id: string): void;
}): Canceller {
  const { db } = deps;
  return async (operation) => {
    const render = await db
      .selectFrom('install_renders')
      .selectAll()
      .where('operation_id', '=', operation.id)
      .where('state', '=', 'running')
      .orderBy('seq', 'desc')
      .executeTakeFirst();
    if (!render) return;
    const outcome = render.job_id ? await cancel(db, render.job_id) : 'finished';
    if (outcome === 'requested') return;
    const { settled } = await settleRender(db, render.id, {
      state: 'cancelled',
      reason: 'the render was cancelled',
    });
    if (settled) deps.notifyOperation(operation.id);
    if (render.repository_change_request_id) {
      const rcr = await db
        .selectFrom('repository_change_requests')
        .innerJoin('repositories', 'repositories.id', 'repository_change_requests.fork_repository_id')
        .select(['repository_change_requests.state', 'repositories.storage'])
        .where('repository_change_requests.id', '=', render.repository_change_request_id)
        .executeTakeFirst();
      if (rcr?.state === 'WITHDRAWN') {
        await deps.git.remove(rcr.storage);
        await db
          .updateTable('repositories')
          .set({ deleted_at: new Date(), updated_at: new Date() })
          .where('storage', '=', rcr.storage)
          .where('deleted_at', 'is', null)
          .execute();
      }
    }
  };
}
