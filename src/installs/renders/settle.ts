/**
 * How a render ends, as named transitions: deployed, skipped, failed or cancelled. Each runs in one
 * transaction over the render, its install (state, deployed version and values), the repository's last
 * deploy, a change request it came from, the operation reporting on it and the notifications of a
 * failure. The render is moved first and only while it is `running`, so a retried job or a racing cancel
 * cannot settle twice; the install is written only while it is not deleted.
 */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { SuccessResponse } from '../../operations/kinds.ts';
import { findOperationById, moveStep, settleOperation, type Settlement } from '../../operations/store.ts';
import { markAccepted, markFailed, releaseChangeRequest } from '../change-requests/state-store.ts';
import { allSemvers } from '../packages/store.ts';
import { latestOf } from '../packages/semver.ts';
import { getRepository, recordDeploy } from '../repositories/store.ts';
import {
  findRender,
  getInstall,
  markInstallRendering,
  recordInstallDeploy,
  repinInstall,
  setInstallState,
  type InstallRow,
  type RenderRow,
  type RepositoryRow,
} from '../store.ts';
import type { RenderFailure, VersionPin } from '../tables.ts';
import { notifyRenderFailed } from './notice.ts';
import type { Plan } from './plan.ts';
import { completeRender, failRender } from './store.ts';

export type RenderOutcome =
  | { state: 'deployed'; plan: Plan; commitSha: string }
  | { state: 'skipped'; plan: Plan }
  | { state: 'failed'; failure: RenderFailure; step: 'render' | 'commit' }
  | { state: 'cancelled'; reason: string };

/** The rows a render is settled with, as the worker loaded them (or settleRenderById loads them). */
export type RenderRows = { render: RenderRow; install: InstallRow; repo: RepositoryRow };

/** Whether the render was settled (false: it was no longer running), and the operation to wake. */
export type Settled = { settled: boolean; operationId: string | null };

const NOT_SETTLED: Settled = { settled: false, operationId: null };

/** Marks a render's work as begun: the install is rendering, the operation's render step running. */
export async function beginRender(db: Kysely<DB>, render: RenderRow): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await markInstallRendering(trx, render.install_id);
    if (render.operation_id) await moveStep(trx, render.operation_id, 'render', 'running');
  });
}

/** Settles a running render with the rows its caller loaded. */
export async function settleRender(
  db: Kysely<DB>,
  rows: RenderRows,
  outcome: RenderOutcome,
): Promise<Settled> {
  return db.transaction().execute((trx) => {
    switch (outcome.state) {
      case 'deployed':
      case 'skipped':
        return succeed(trx, rows, outcome);
      case 'failed':
        return fail(trx, rows, outcome.failure, outcome.step);
      case 'cancelled':
        return cancel(trx, rows, outcome.reason);
      default: {
        const never: never = outcome;
        throw new Error(`unknown render outcome ${String(never)}`);
      }
    }
  });
}

/** Settles a render known by id (cancel, delete, a closed change request); not settled unless running. */
export async function settleRenderById(
  db: Kysely<DB>,
  renderId: string,
  outcome: RenderOutcome,
): Promise<Settled> {
  const render = await findRender(db, renderId);
  if (!render || render.state !== 'running') return NOT_SETTLED;
  const install = await getInstall(db, render.install_id);
  const repo = await getRepository(db, install.repository_id);
  return settleRender(db, { render, install, repo }, outcome);
}

type Success = Extract<RenderOutcome, { plan: Plan }>;

/** Deployed (committed to main) or skipped (nothing changed): the install is on the plan's version. */
async function succeed(trx: Transaction<DB>, rows: RenderRows, outcome: Success): Promise<Settled> {
  const { render, install, repo } = rows;
  const { plan } = outcome;
  const commitSha = outcome.state === 'deployed' ? outcome.commitSha : null;
  const now = new Date();
  if (!(await completeRender(trx, render.id, { state: outcome.state, plan, commitSha, now })))
    return NOT_SETTLED;
  await recordVersion(trx, install, plan, now);
  if (commitSha !== null) await recordDeploy(trx, repo.id, { commitSha, renderHash: plan.hash, now });
  if (render.repository_change_request_id) await markAccepted(trx, render.repository_change_request_id, now);
  if (!render.operation_id) return { settled: true, operationId: null };
  await moveStep(trx, render.operation_id, 'render', 'completed');
  await moveStep(trx, render.operation_id, 'review', 'completed');
  await moveStep(trx, render.operation_id, 'commit', commitSha !== null ? 'completed' : 'skipped');
  const op = await findOperationById(trx, render.operation_id);
  const response = successResponse(op?.metadata.type, render, repo.id, outcome);
  return finish(trx, render, { state: 'SUCCEEDED', response });
}

/** A render that failed: the install is degraded (failed before its first deploy), people are told. */
async function fail(
  trx: Transaction<DB>,
  rows: RenderRows,
  failure: RenderFailure,
  step: 'render' | 'commit',
): Promise<Settled> {
  const { render, install, repo } = rows;
  const now = new Date();
  if (!(await failRender(trx, render.id, failure, now))) return NOT_SETTLED;
  const state = repo.last_deploy_sha !== null ? 'degraded' : 'failed';
  // The end of a deleted install's renders tells no one.
  if (await setInstallState(trx, install.id, state, now))
    await notifyRenderFailed(trx, render, install, failure);
  // A failed merge leaves the change request FAILED: push a fix, accept again.
  if (render.repository_change_request_id)
    await markFailed(trx, render.repository_change_request_id, failure, now);
  if (render.operation_id) await moveStep(trx, render.operation_id, step, 'failed', failure.message);
  return finish(trx, render, { state: 'FAILED', error: { message: failure.message } });
}

/** A render cancelled: the install goes back to what it had; a cancelled accept returns its request to READY. */
async function cancel(trx: Transaction<DB>, rows: RenderRows, reason: string): Promise<Settled> {
  const { render, install, repo } = rows;
  const now = new Date();
  if (!(await failRender(trx, render.id, { code: 'cancelled', message: reason }, now))) return NOT_SETTLED;
  await setInstallState(trx, install.id, repo.last_deploy_sha !== null ? 'healthy' : 'pending', now);
  if (render.repository_change_request_id)
    await releaseChangeRequest(trx, render.repository_change_request_id, now);
  return finish(trx, render, { state: 'CANCELLED', error: { message: reason } });
}

/** Settles the render's operation (if it has one); the caller wakes its waiters after the commit. */
async function finish(trx: Transaction<DB>, render: RenderRow, settlement: Settlement): Promise<Settled> {
  if (render.operation_id) await settleOperation(trx, render.operation_id, settlement);
  return { settled: true, operationId: render.operation_id };
}

/** The install is healthy on the plan's version and values; its pin follows a change of version. */
async function recordVersion(
  trx: Transaction<DB>,
  install: InstallRow,
  plan: Plan,
  now: Date,
): Promise<void> {
  const deploy = { packageVersionId: plan.packageVersionId, values: plan.values, now };
  const updated = await recordInstallDeploy(trx, install.id, deploy);
  if (!updated || plan.packageVersionId === install.package_version_id) return;
  await repinInstall(trx, install.id, await pinAfter(trx, updated, plan.packageVersionId));
}

/** The pin after a version change: `latest` stays while the install is on the latest version. */
async function pinAfter(trx: Kysely<DB>, install: InstallRow, versionId: string): Promise<VersionPin> {
  const versions = await allSemvers(trx, install.package_id);
  const latest = latestOf(versions);
  if (install.version_pin.kind === 'latest' && latest?.id === versionId) return install.version_pin;
  return { kind: 'pinned', version: versions.find((v) => v.id === versionId)!.semver };
}

function successResponse(
  type: unknown,
  render: RenderRow,
  repositoryId: string,
  outcome: Success,
): SuccessResponse {
  switch (type) {
    case 'install.create':
      return { type: 'install.create', install_id: render.install_id, sandbox_skipped: true };
    case 'repository_change_request.accept':
      return {
        type: 'repository_change_request.accept',
        merged_at: Math.floor(Date.now() / 1000),
        triggered_install_render: true,
      };
    default:
      return {
        type: 'install.render',
        install_render_id: render.id,
        repository_id: repositoryId,
        ...(outcome.state === 'deployed' ? { commit_sha: outcome.commitSha } : {}),
        render_hash: outcome.plan.hash,
        skipped: outcome.state === 'skipped',
      };
  }
}
