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
import { changeRequestFork } from '../change-requests/state-store.ts';
import { markStorageDeleted } from '../repositories/store.ts';
import { settleRenderById } from './settle.ts';
import { runningRenderOfOperation } from './store.ts';

export function createRenderCanceller(deps: {
  db: Kysely<DB>;
  git: GitStore;
  notifyOperation(id: string): void;
}): Canceller {
  const { db } = deps;
  return async (operation) => {
    const render = await runningRenderOfOperation(db, operation.id);
    if (!render) return;
    const outcome = render.job_id ? await cancel(db, render.job_id) : 'finished';
    if (outcome === 'requested') return;
    const { settled } = await settleRenderById(db, render.id, {
      state: 'cancelled',
      reason: 'the render was cancelled',
    });
    if (settled) deps.notifyOperation(operation.id);
    if (render.repository_change_request_id) {
      const rcr = await changeRequestFork(db, render.repository_change_request_id);
      if (rcr?.state === 'WITHDRAWN') {
        await deps.git.remove(rcr.storage);
        await markStorageDeleted(db, rcr.storage);
      }
    }
  };
}
