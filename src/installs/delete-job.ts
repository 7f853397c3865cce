/**
 * The `install.delete` job: runs after the install's queued renders (same serial key), which fail fast
 * once the install is deleted. It fails the renders still waiting for review, withdraws the install's
 * open change requests, purges its git repositories (main and forks) and settles the operation.
 * Every step is safe to repeat, so a job retried after its worker died finishes the purge.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { GitStore } from '../git/store.ts';
import { defineJob, type JobDefinition } from '../jobs/registry.ts';
import { settleOperation } from '../operations/store.ts';
import { withdrawInstallChangeRequests } from './change-requests/state-store.ts';
import { settleRenderById } from './renders/settle.ts';
import { installRepositories, markInstallRepositoriesDeleted } from './repositories/store.ts';
import { deleteJob } from './jobs.ts';
import { runningRenders } from './store.ts';

export function createDeleteJobHandler(deps: {
  db: Kysely<DB>;
  git: GitStore;
  notifyOperation(id: string): void;
}): JobDefinition {
  const { db, git } = deps;
  return defineJob(deleteJob, {
    async run(job) {
      const { install_id: installId, operation_id: operationId } = job.payload;
      for (const render of await runningRenders(db, installId)) {
        const { settled, operationId: renderOp } = await settleRenderById(db, render.id, {
          state: 'failed',
          step: 'render',
          failure: { code: 'install_deleted', message: `install ${installId} was deleted` },
        });
        if (settled && renderOp) deps.notifyOperation(renderOp);
      }
      const now = new Date();
      await withdrawInstallChangeRequests(db, installId, now);
      const repos = await installRepositories(db, installId);
      for (const repo of repos) await git.remove(repo.storage);
      await db.transaction().execute(async (trx) => {
        await markInstallRepositoriesDeleted(trx, installId, now);
        await settleOperation(trx, operationId, {
          state: 'SUCCEEDED',
          response: { type: 'install.delete', argo_app_deleted: false, repo_purged: true },
        });
      });
      deps.notifyOperation(operationId);
      return { install_id: installId, repositories_purged: repos.length };
    },
  });
}
