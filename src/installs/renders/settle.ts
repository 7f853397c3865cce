/**
 * How a render ends, in one transaction: the render row, its install (state, deployed version and
 * values), the repository's last deploy, the operation reporting on it and a change request it came
 * from, and the notifications of a failure. Only a `running` render is settled, so a retried job or a
 * racing cancel cannot settle twice.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { SuccessResponse } from '../../operations/kinds.ts';
import { getOperation, moveStep, settleOperation, type Settlement } from '../../operations/store.ts';
import { latestOf } from '../packages/semver.ts';
import type { InstallRow, RenderRow } from '../store.ts';
import type { InstallState, RenderFailure, VersionPin } from '../tables.ts';
import { notifyRenderFailed } from './notice.ts';
import type { Plan } from './plan.ts';

export type RenderOutcome =
  | { state: 'deployed'; plan: Plan; commitSha: string }
  | { state: 'skipped'; plan: Plan }
  | { state: 'failed'; failure: RenderFailure; step: 'render' | 'commit' }
  | { state: 'cancelled'; reason: string };

/** Marks a render's work as begun: the install is rendering, the operation's render step running. */
export async function beginRender(db: Kysely<DB>, render: RenderRow): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('installs')
      .set({ state: 'rendering', updated_at: new Date() })
      .where('id', '=', render.install_id)
      .where('state', '<>', 'deleted')
      .execute();
    if (render.operation_id) await moveStep(trx, render.operation_id, 'render', 'running');
  });
}

/** The pin after a version change: `latest` stays while the install is on the latest version. */
async function pinAfter(trx: Kysely<DB>, install: InstallRow, versionId: string): Promise<VersionPin> {
  const versions = await trx
    .selectFrom('package_versions')
    .select(['id', 'semver'])
    .where('package_id', '=', install.package_id)
    .execute();
  const latest = latestOf(versions);
  if (install.version_pin.kind === 'latest' && latest?.id === versionId) return install.version_pin;
  return { kind: 'pinned', version: versions.find((v) => v.id === versionId)!.semver };
}

function successResponse(
  type: unknown,
  render: RenderRow,
  repositoryId: string,
  outcome: Extract<RenderOutcome, { plan: Plan }>,
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

/** Settles a running render; false when it was no longer running. Returns the operation to wake. */
export async function settleRender(
  db: Kysely<DB>,
  renderId: string,
  outcome: RenderOutcome,
): Promise<{ settled: boolean; operationId: string | null }> {
  return db.transaction().execute(async (trx) => {
    const render = await trx
      .selectFrom('install_renders')
      .selectAll()
      .where('id', '=', renderId)
      .forUpdate()
      .executeTakeFirst();
    if (!render || render.state !== 'running') return { settled: false, operationId: null };
    const install = await trx
      .selectFrom('installs')
      .selectAll()
      .where('id', '=', render.install_id)
      .forUpdate()
      .executeTakeFirstOrThrow();
    const repo = await trx
      .selectFrom('repositories')
      .selectAll()
      .where('id', '=', install.repository_id)
      .executeTakeFirstOrThrow();
    const now = new Date();
    const live = install.state !== 'deleted';
    let settlement: Settlement;

    if (outcome.state === 'deployed' || outcome.state === 'skipped') {
      const { plan } = outcome;
      await trx
        .updateTable('install_renders')
        .set({
          state: outcome.state,
          render_hash: plan.hash,
          commit_sha: outcome.state === 'deployed' ? outcome.commitSha : null,
          package_version_id: plan.packageVersionId,
          input_values: JSON.stringify(plan.values),
          render_key: plan.key,
          updated_at: now,
        })
        .where('id', '=', render.id)
        .execute();
      if (live) {
        const versionChanged = plan.packageVersionId !== install.package_version_id;
        await trx
          .updateTable('installs')
          .set((eb) => ({
            state: 'healthy' as InstallState,
            package_version_id: plan.packageVersionId,
            input_values: JSON.stringify(plan.values),
            desired_version_id:
              install.desired_version_id === plan.packageVersionId ? null : install.desired_version_id,
            updated_at: now,
            version: eb('version', '+', 1),
          }))
          .where('id', '=', install.id)
          .execute();
        if (versionChanged) {
          const pin = await pinAfter(trx, install, plan.packageVersionId);
          await trx
            .updateTable('installs')
            .set({ version_pin: JSON.stringify(pin) })
            .where('id', '=', install.id)
            .execute();
        }
      }
      if (outcome.state === 'deployed') {
        await trx
          .updateTable('repositories')
          .set((eb) => ({
            last_deploy_sha: outcome.commitSha,
            last_render_hash: plan.hash,
            updated_at: now,
            version: eb('version', '+', 1),
          }))
          .where('id', '=', repo.id)
          .execute();
      }
      if (render.repository_change_request_id) {
        await trx
          .updateTable('repository_change_requests')
          .set((eb) => ({
            state: 'ACCEPTED',
            accepted_at: now,
            failure: null,
            updated_at: now,
            version: eb('version', '+', 1),
          }))
          .where('id', '=', render.repository_change_request_id)
          .execute();
      }
      if (render.operation_id) {
        await moveStep(trx, render.operation_id, 'render', 'completed');
        await moveStep(trx, render.operation_id, 'review', 'completed');
        await moveStep(
          trx,
          render.operation_id,
          'commit',
          outcome.state === 'deployed' ? 'completed' : 'skipped',
        );
      }
      const op = render.operation_id ? await getOperation(trx, render.operation_id) : undefined;
      settlement = {
        state: 'SUCCEEDED',
        response: successResponse(op?.metadata.type, render, repo.id, outcome),
      };
    } else {
      const failure: RenderFailure =
        outcome.state === 'failed' ? outcome.failure : { code: 'cancelled', message: outcome.reason };
      await trx
        .updateTable('install_renders')
        .set({ state: 'failed', failure: JSON.stringify(failure), updated_at: now })
        .where('id', '=', render.id)
        .execute();
      // A failure (not a cancellation, nor the end of a deleted install's renders) tells people.
      if (live && outcome.state === 'failed') await notifyRenderFailed(trx, render, install, failure);
      if (live) {
        const deployed = repo.last_deploy_sha !== null;
        const state: InstallState =
          outcome.state === 'cancelled'
            ? deployed
              ? 'healthy'
              : 'pending'
            : deployed
              ? 'degraded'
              : 'failed';
        await trx
          .updateTable('installs')
          .set((eb) => ({ state, updated_at: now, version: eb('version', '+', 1) }))
          .where('id', '=', install.id)
          .execute();
      }
      if (render.repository_change_request_id) {
        // A failed merge leaves the change request FAILED (push a fix, accept again); a cancelled
        // accept returns it to READY; cancelling a render that waits for review withdraws its request.
        const rcr = trx
          .updateTable('repository_change_requests')
          .where('id', '=', render.repository_change_request_id);
        if (outcome.state === 'failed') {
          await rcr
            .set((eb) => ({
              state: 'FAILED',
              failure: JSON.stringify(failure),
              updated_at: now,
              version: eb('version', '+', 1),
            }))
            .where('state', 'in', ['AWAITING_CHANGES', 'VALIDATING', 'READY', 'ACCEPTING'])
            .execute();
        } else {
          const current = await trx
            .selectFrom('repository_change_requests')
            .select('state')
            .where('id', '=', render.repository_change_request_id)
            .executeTakeFirst();
          const accepting = current?.state === 'VALIDATING' || current?.state === 'ACCEPTING';
          await rcr
            .set((eb) => ({
              state: accepting ? 'READY' : 'WITHDRAWN',
              updated_at: now,
              version: eb('version', '+', 1),
            }))
            .where('state', 'in', ['AWAITING_CHANGES', 'VALIDATING', 'READY', 'ACCEPTING'])
            .execute();
        }
      }
      if (render.operation_id && outcome.state === 'failed') {
        await moveStep(trx, render.operation_id, outcome.step, 'failed', failure.message);
      }
      settlement =
        outcome.state === 'cancelled'
          ? { state: 'CANCELLED', error: { message: failure.message } }
          : { state: 'FAILED', error: { message: failure.message } };
    }
    if (render.operation_id) await settleOperation(trx, render.operation_id, settlement);
    return { settled: true, operationId: render.operation_id };
  });
}
