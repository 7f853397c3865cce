/**
 * Who an approval request waits for: the subject who started its turn (who asked the agent to act) and
 * the workspace's members. Told in the transaction that appends the approval card and creates the
 * request (src/events/emit.ts, through the agents port), so a request never exists without its
 * notifications.
 */
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { notify } from '../notifications/port.ts';
import { findApprovalNotice } from './approval-store.ts';

/** Notifies about a just-created approval request, inside the transaction that created it. */
export async function notifyApprovalRequested(
  trx: Transaction<DB>,
  workspaceId: string,
  approvalId: string,
): Promise<void> {
  const approval = await findApprovalNotice(trx, workspaceId, approvalId);
  if (!approval) return;
  await notify(trx, {
    workspaceId,
    type: 'approval_request_pending',
    resourceId: approval.id,
    title: `${approval.agent_name} is waiting for your approval: ${approval.title}`,
    body: approval.summary,
    severity: 'warning',
    context: {
      agent_id: approval.agent_id,
      session_id: approval.session_id,
      turn_id: approval.turn_id,
    },
    subjects: [approval.turn_created_by],
    members: true,
  });
}
