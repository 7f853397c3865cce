/**
 * Who hears of a failed render: the subject who asked for it and the workspace's members. Told from
 * inside the transaction that settles the render failed (settle.ts), so the failure and its
 * notifications commit together.
 */
import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { notify } from '../../notifications/port.ts';
import { findPackageById } from '../packages/store.ts';
import type { InstallRow, RenderRow } from '../store.ts';
import type { RenderFailure } from '../tables.ts';

export async function notifyRenderFailed(
  trx: Transaction<DB>,
  render: RenderRow,
  install: InstallRow,
  failure: RenderFailure,
): Promise<void> {
  const pkg = await findPackageById(trx, install.package_id);
  const what = pkg ? `${pkg.name} (install ${install.id})` : `install ${install.id}`;
  await notify(trx, {
    workspaceId: render.workspace_id,
    type: 'install_render_failed',
    resourceId: render.id,
    title: `Render of ${what} failed`,
    body: failure.message,
    severity: 'critical',
    context: {
      install_id: install.id,
      package_id: install.package_id,
      failure_code: failure.code,
      operation_id: render.operation_id,
      repository_change_request_id: render.repository_change_request_id,
    },
    subjects: [render.created_by],
    members: true,
  });
}
