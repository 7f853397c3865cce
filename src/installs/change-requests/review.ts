/**
 * Review of an install's renders (`require_review`): a render whose output changed is committed to a
 * change request's fork instead of main. The render stays `running` and its operation waits on an
 * `approval` step until the request is accepted (the render is then merged and deployed), or rejected,
 * withdrawn or expired (the render fails). Safe to run again after a crash: the request is found by its
 * render, the fork commit by its trailer.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { GitStore } from '../../git/store.ts';
import { pendingStep, withStepBefore, withStepStatus } from '../../operations/steps.ts';
import type { OperationStep } from '../../operations/schemas.ts';
import { findOperationById, updateOperation } from '../../operations/store.ts';
import { classifyChange } from '../engine/tree.ts';
import { commitMessage, commitRender } from '../renders/commit.ts';
import type { Plan } from '../renders/plan.ts';
import type { InstallRow, RenderRow, RepositoryRow } from '../store.ts';
import { getRepository } from '../repositories/store.ts';
import { setRenderChangeRequest } from '../renders/store.ts';
import { notifyChangeRequestReady } from './notice.ts';
import { markReviewReady } from './state-store.ts';
import { DEFAULT_TTL_SECONDS, findChangeRequestOfRender, insertChangeRequest } from './store.ts';

export type ReviewOpener = (input: {
  render: RenderRow;
  install: InstallRow;
  repo: RepositoryRow;
  plan: Plan;
  subject: string;
  /** Whether an earlier attempt may have committed to the fork already. */
  resumed: boolean;
}) => Promise<void>;

/** Makes sure main has a commit to fork from (an install under review has none before its first deploy). */
async function mainHead(git: GitStore, repo: RepositoryRow, installId: string): Promise<string> {
  const head = await git.head(repo.storage, 'main');
  if (head) return head;
  return git.commit(repo.storage, {
    branch: 'main',
    files: [],
    message: commitMessage(`Create the repository of install ${installId}`, { 'Atoll-Install': installId }),
    expectedHead: null,
  });
}

export function createReviewOpener(deps: { db: Kysely<DB>; git: GitStore }): ReviewOpener {
  const { db, git } = deps;
  return async ({ render, install, repo, plan, subject, resumed }) => {
    let rcr = await findChangeRequestOfRender(db, render.id);
    if (!rcr) {
      const base = await mainHead(git, repo, install.id);
      rcr = await db.transaction().execute((trx) =>
        insertChangeRequest(trx, {
          workspaceId: install.workspace_id,
          parentRepositoryId: repo.id,
          installId: install.id,
          baseSha: base,
          createdByType: 'user',
          createdById: render.created_by,
          renderId: render.id,
          operationId: render.operation_id,
          expiresAt: new Date(Date.now() + DEFAULT_TTL_SECONDS * 1000),
        }),
      );
    }
    const fork = await getRepository(db, rcr.fork_repository_id);
    await git.fork(repo.storage, fork.storage, rcr.base_sha);
    const sha = await commitRender(git, fork.storage, {
      branch: rcr.branch,
      renderId: render.id,
      files: plan.files,
      message: commitMessage(subject, { 'Atoll-Render': render.id, 'Atoll-Render-Hash': plan.hash }),
      mergeParents: [],
      resumed,
    });
    const changeType = classifyChange(await git.changedPaths(fork.storage, rcr.base_sha, sha));
    const rcrId = rcr.id;
    await db.transaction().execute(async (trx) => {
      const now = new Date();
      const ready = await markReviewReady(trx, rcrId, changeType, now);
      if (ready) await notifyChangeRequestReady(trx, ready);
      await setRenderChangeRequest(trx, render.id, rcrId, now);
      if (render.operation_id) {
        const op = await findOperationById(trx, render.operation_id);
        if (!op) throw new Error(`operation ${render.operation_id} of render ${render.id} not found`);
        const review = pendingStep({ name: 'review', execution_type: 'approval' }, now);
        const steps = withStepBefore(op.steps as OperationStep[], review, 'commit');
        await updateOperation(trx, render.operation_id, {
          steps: withStepStatus(steps, 'review', 'running', now),
        });
      }
    });
  };
}
