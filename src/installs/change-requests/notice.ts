/**
 * Who hears that a change request is ready for review: the workspace's members (its reviewers) and the
 * subject who opened it. Told in the transaction that moves it to READY (a push with changes, or a
 * render under review committed to its fork), once per such move.
 */
import type { Transaction } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { notify } from '../../notifications/port.ts';
import { findRepositoryById } from '../repositories/store.ts';
import type { ChangeRequestRow } from './store.ts';

const CHANGE_WORDS: Record<ChangeRequestRow['change_type'], string> = {
  manifest_patch: 'a manifest patch',
  inputs_change: 'an inputs change',
  package_change: 'a package change',
  unknown: 'changes',
};

/** Notifies about a change request that has just become READY (`row` as it is after the move). */
export async function notifyChangeRequestReady(trx: Transaction<DB>, row: ChangeRequestRow): Promise<void> {
  const parent = await findRepositoryById(trx, row.parent_repository_id);
  const target = parent ? `repository ${parent.name}` : `repository ${row.parent_repository_id}`;
  await notify(trx, {
    workspaceId: row.workspace_id,
    type: 'repository_change_request_ready',
    resourceId: row.id,
    title: `Change request ready for review: ${CHANGE_WORDS[row.change_type]} to ${target}`,
    body: row.remediation_evidence?.summary ?? null,
    severity: 'info',
    context: {
      parent_repository_id: row.parent_repository_id,
      fork_repository_id: row.fork_repository_id,
      install_id: parent?.install_id,
      change_type: row.change_type,
      created_by_type: row.created_by_type,
      agent_id: row.agent_id,
      render_id: row.render_id,
    },
    subjects: [row.created_by_id],
    members: true,
    // A request may become READY again (after FAILED, or after its changes were undone): each time counts.
    occurrence: String(row.version),
  });
}
