/**
 * Skipping an unchanged render without the queue. Renders are deterministic: when nothing a render's
 * manifests depend on has changed since the install's last settled render (same render key: artifact,
 * values, annotations, context), the repository holds that render's hash, and no other render of the
 * install is queued or running, the render is settled `skipped` in the request that asked for it: no
 * program run, no job. Anything less certain goes through the queue as usual.
 */
import type { Kysely } from 'kysely';
import { newId } from '../../db/ids.ts';
import type { DB } from '../../db/schema.ts';
import { canonicalJson } from '../../lib/canonical-json.ts';
import { withStepStatus } from '../../operations/steps.ts';
import { insertOperation } from '../../operations/store.ts';
import { renderKey } from '../engine/engine.ts';
import { findVersionRef } from '../packages/store.ts';
import { latestRender, type InstallRow, type RenderRow } from '../store.ts';
import { findRepositoryById } from '../repositories/store.ts';
import { renderSteps } from './start.ts';
import { insertRender } from './store.ts';

export async function skipIfUnchanged(
  trx: Kysely<DB>,
  install: InstallRow,
  input: { createdBy: string; message: string | null; extraAnnotations: Record<string, string> },
): Promise<RenderRow | undefined> {
  if (install.desired_version_id !== null) return undefined;
  const last = await latestRender(trx, install.id);
  // The newest render settled (none queued or running: renders of an install run in order) with a key.
  if (!last || (last.state !== 'deployed' && last.state !== 'skipped') || !last.render_key) return undefined;
  if (last.package_version_id !== install.package_version_id) return undefined;
  if (canonicalJson(last.input_values) !== canonicalJson(install.input_values)) return undefined;
  const repo = await findRepositoryById(trx, install.repository_id);
  if (!repo || repo.last_render_hash === null || repo.last_render_hash !== last.render_hash) return undefined;
  const found = await findVersionRef(trx, install.package_version_id);
  if (!found) return undefined;
  const key = renderKey({
    ref: found.ref,
    values: install.input_values,
    extraAnnotations: input.extraAnnotations,
    context: {
      install: { id: install.id, workspace_id: install.workspace_id },
      package: { name: found.name, version: found.semver },
    },
  });
  if (key !== last.render_key) return undefined;

  const now = new Date();
  const renderId = newId('rnd');
  const steps = renderSteps(now);
  const operation = await insertOperation(trx, {
    workspaceId: install.workspace_id,
    ownerType: 'install',
    ownerId: install.id,
    state: 'SUCCEEDED',
    metadata: { type: 'install.render', install_id: install.id },
    steps: withStepStatus(withStepStatus(steps, 'render', 'completed', now), 'commit', 'skipped', now),
    response: {
      type: 'install.render',
      install_render_id: renderId,
      repository_id: repo.id,
      render_hash: repo.last_render_hash,
      skipped: true,
    },
  });
  return insertRender(trx, {
    id: renderId,
    workspace_id: install.workspace_id,
    install_id: install.id,
    operation_id: operation.id,
    job_id: null,
    package_version_id: install.package_version_id,
    state: 'skipped',
    render_hash: repo.last_render_hash,
    render_key: key,
    message: input.message,
    skip_unchanged: true,
    extra_annotations: JSON.stringify(input.extraAnnotations),
    input_values: JSON.stringify(install.input_values),
    created_by: input.createdBy,
  });
}
