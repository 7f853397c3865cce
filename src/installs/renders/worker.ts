/**
 * The `install.render` job: carries one render out. It plans (plain render, restore or a change
 * request's merge), then either skips (same render hash as the last deploy, when asked to), opens a
 * change request (an install that requires review), or commits to main and settles the render as
 * deployed. Expected failures settle the render `failed` with the reason; unexpected ones (git or the
 * database failing) are retried by the queue, and settle it `failed` on the last attempt. A job that
 * runs again after its worker died finds its own commit by trailer and never commits twice.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../../db/schema.ts';
import { canonicalJson } from '../../lib/canonical-json.ts';
import { JobCancelledError } from '../../jobs/errors.ts';
import { defineJob, type JobDefinition } from '../../jobs/registry.ts';
import type { JobContext } from '../../jobs/runner.ts';
import { moveStep } from '../../operations/store.ts';
import type { ReviewOpener } from '../change-requests/review.ts';
import { getChangeRequest } from '../change-requests/state-store.ts';
import { renderJob } from '../jobs.ts';
import { getRepository } from '../repositories/store.ts';
import { findRender, getInstall, type RenderRow, type RepositoryRow } from '../store.ts';
import { commitMessage, commitRender } from './commit.ts';
import { planChangeRequest, planRender, planRestore, type PlanDeps, type PlanResult } from './plan.ts';
import {
  beginRender,
  settleRender,
  settleRenderById,
  type RenderOutcome,
  type RenderRows,
  type Settled,
} from './settle.ts';
import { markCommitStarted } from './store.ts';

export type RenderWorkerDeps = PlanDeps & {
  log: Logger;
  /** Wakes this process's waiters of an operation after it settled. */
  notifyOperation(id: string): void;
  openReview: ReviewOpener;
};

/** Each commit is a pack of its own (fast-import); git gc --auto merges them past its thresholds. */
const MAINTAIN_EVERY = 25;

/** The running render with its install and repository, read once and handed down to settling. */
async function load(db: Kysely<DB>, renderId: string): Promise<RenderRows | undefined> {
  const render = await findRender(db, renderId);
  if (!render || render.state !== 'running') return undefined;
  const install = await getInstall(db, render.install_id);
  const repo = await getRepository(db, install.repository_id);
  return { render, install, repo };
}

function subjectOf(
  render: RenderRow,
  kind: 'render' | 'restore' | 'merge',
  changeRequestId: string | null,
): string {
  if (render.message) return render.message;
  if (kind === 'restore') return `Restore render ${render.restored_from_render_id}`;
  if (kind === 'merge') return `Merge change request ${changeRequestId}`;
  return `Render ${render.id}`;
}

export function createRenderJobHandler(deps: RenderWorkerDeps): JobDefinition {
  const { db, git, log } = deps;
  const commits = new Map<string, number>();

  /** Every MAINTAIN_EVERY commits to a repository, packs it (git gc --auto) off the render's path. */
  function housekeep(storage: string): void {
    const count = (commits.get(storage) ?? 0) + 1;
    commits.set(storage, count % MAINTAIN_EVERY);
    if (count < MAINTAIN_EVERY) return;
    git
      .maintain(storage)
      .catch((error) => log.warn({ err: error, repo: storage }, 'repository maintenance failed'));
  }

  /** Wakes the waiters of the operation of a render that was just settled. */
  function wake({ settled, operationId }: Settled): void {
    if (settled && operationId) deps.notifyOperation(operationId);
  }

  /** Settles the loaded render (read once, in load). */
  async function settle(rows: RenderRows, outcome: RenderOutcome): Promise<void> {
    wake(await settleRender(db, rows, outcome));
  }

  /** Settles a render the job gave up on (cancelled, out of attempts), wherever it stopped. */
  async function settleById(renderId: string, outcome: RenderOutcome): Promise<void> {
    wake(await settleRenderById(db, renderId, outcome));
  }

  async function carryOut(renderId: string, ctx: JobContext): Promise<unknown> {
    const loaded = await load(db, renderId);
    if (!loaded) return { render_id: renderId, already: 'settled' };
    const { render, install, repo } = loaded;
    if (install.state === 'deleted') {
      await settle(loaded, {
        state: 'failed',
        step: 'render',
        failure: { code: 'install_deleted', message: `install ${install.id} was deleted` },
      });
      return { render_id: render.id, state: 'failed' };
    }
    const rcr = render.repository_change_request_id
      ? await getChangeRequest(db, render.repository_change_request_id)
      : undefined;
    // A render waiting for its change request's review has nothing to do until the request is accepted.
    if (rcr && rcr.state !== 'ACCEPTING' && rcr.state !== 'VALIDATING')
      return { render_id: render.id, waiting: 'review' };

    await beginRender(db, render);
    await git.init(repo.storage);
    ctx.signal.throwIfAborted();

    let planned: PlanResult;
    let kind: 'render' | 'restore' | 'merge' = 'render';
    let fork: RepositoryRow | undefined;
    if (rcr) {
      kind = 'merge';
      fork = await getRepository(db, rcr.fork_repository_id);
      planned = await planChangeRequest(
        deps,
        install,
        render,
        { storage: repo.storage, head: await git.head(repo.storage, 'main') },
        { storage: fork.storage, branch: rcr.branch, baseSha: rcr.base_sha },
      );
    } else if (render.restored_from_render_id) {
      kind = 'restore';
      planned = await planRestore(deps, repo, render);
    } else {
      planned = await planRender(deps, install, render);
    }
    if (!planned.ok) {
      await settle(loaded, { state: 'failed', step: 'render', failure: planned.failure });
      return { render_id: render.id, state: 'failed' };
    }
    const { plan } = planned;
    ctx.signal.throwIfAborted();
    if (render.operation_id) await moveStep(db, render.operation_id, 'render', 'completed');

    // Skipped only when nothing of the commit would change: the manifests (the render hash) and what the
    // install records of them (its version and values, in package.yaml and inputs.yaml).
    const sameInputs =
      plan.packageVersionId === install.package_version_id &&
      canonicalJson(plan.values) === canonicalJson(install.input_values);
    if (!rcr && render.skip_unchanged && plan.hash === repo.last_render_hash && sameInputs) {
      await settle(loaded, { state: 'skipped', plan });
      return { render_id: render.id, state: 'skipped' };
    }
    // From here a commit may land (on main or a review fork): a later attempt must look for it first.
    const resumed = render.commit_started_at !== null;
    if (!resumed) await markCommitStarted(db, render.id);
    if (!rcr && install.require_review) {
      await deps.openReview({ render, install, repo, plan, subject: subjectOf(render, kind, null), resumed });
      return { render_id: render.id, waiting: 'review' };
    }
    if (render.operation_id) await moveStep(db, render.operation_id, 'commit', 'running');
    if (rcr && fork) await git.fetchBranch(repo.storage, fork.storage, rcr.branch, plan.mergeParents[0]!);
    const trailers: Record<string, string> = { 'Atoll-Render': render.id, 'Atoll-Render-Hash': plan.hash };
    if (rcr) trailers['Atoll-Change-Request'] = rcr.id;
    const sha = await commitRender(git, repo.storage, {
      branch: 'main',
      renderId: render.id,
      files: plan.files,
      message: commitMessage(subjectOf(render, kind, rcr?.id ?? null), trailers),
      mergeParents: plan.mergeParents,
      resumed,
    });
    await settle(loaded, { state: 'deployed', plan, commitSha: sha });
    housekeep(repo.storage);
    log.debug({ render: render.id, install: install.id, commit: sha }, 'render deployed');
    return { render_id: render.id, state: 'deployed', commit_sha: sha };
  }

  return defineJob(renderJob, {
    async run(job, ctx): Promise<unknown> {
      const renderId = job.payload.render_id;
      try {
        return await carryOut(renderId, ctx);
      } catch (error) {
        if (ctx.signal.aborted && ctx.signal.reason instanceof JobCancelledError) {
          await settleById(renderId, { state: 'cancelled', reason: 'the render was cancelled' });
          return { render_id: renderId, state: 'cancelled' };
        }
        if (!ctx.signal.aborted && job.attempts >= job.max_attempts) {
          await settleById(renderId, {
            state: 'failed',
            step: 'commit',
            failure: {
              code: 'internal',
              message: `the render failed ${job.attempts} times; last error: ${(error as Error).message}`,
            },
          });
        }
        throw error;
      }
    },
    async lost(job): Promise<'retry' | 'fail'> {
      const renderId = job.payload.render_id;
      if (job.cancel_requested) {
        await settleById(renderId, { state: 'cancelled', reason: 'the render was cancelled' });
        return 'fail';
      }
      if (job.attempts >= job.max_attempts) {
        await settleById(renderId, {
          state: 'failed',
          step: 'commit',
          failure: {
            code: 'worker_lost',
            message: `the worker carrying the render out stopped ${job.attempts} times`,
          },
        });
        return 'fail';
      }
      return 'retry';
    },
  });
}
