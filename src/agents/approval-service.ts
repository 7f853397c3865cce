/**
 * Approval requests: list, and resolve (if-match; APPROVE or REJECT, once). Resolving locks the
 * approval's turn first, then the approval (the lock order of every turn writer); when the turn has no
 * pending approvals left, a turn that was WAITING_FOR_PERMISSION goes back to RUNNING.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { EventLog } from '../events/log.ts';
import { failedPrecondition, notFound } from '../http/errors.ts';
import { assertIfMatch } from '../http/etag.ts';
import { toPage, type Page, type PageRequest } from '../http/pagination.ts';
import type { Actor } from './actor.ts';
import type { ApprovalRequest, ResolveApprovalRequestBody } from './approval-schemas.ts';
import * as store from './approval-store.ts';
import { lockTurn, moveTurn } from './turn-store.ts';
import { toApprovalRequest } from './resources.ts';

export type ApprovalService = ReturnType<typeof createApprovalService>;

/** A decision on an approval request, taken only at the version its etag names (`if-match`). */
export type Resolution = { id: string; ifMatch: string; body: ResolveApprovalRequestBody };

export function createApprovalService({ db, eventLog }: { db: Kysely<DB>; eventLog: EventLog }) {
  return {
    async list(
      workspaceId: string,
      filters: store.ApprovalFilters,
      page: PageRequest,
    ): Promise<Page<ApprovalRequest>> {
      return toPage(
        await store.listApprovalRequests(db, workspaceId, filters, page),
        page,
        toApprovalRequest,
      );
    },

    async resolve(
      { workspaceId, caller }: Actor,
      { id, ifMatch, body }: Resolution,
    ): Promise<ApprovalRequest> {
      // Resolution writes no event (the event types have none for it); the event log's transaction is
      // used so that the turn lock is taken exactly as by every other turn writer.
      const row = await eventLog.transaction(async (trx) => {
        const seen = await store.findApprovalRequest(trx, workspaceId, id);
        if (!seen) throw notFound('approval request', id);
        const turn = await lockTurn(trx, workspaceId, seen.turn_id);
        // Read again under the locks: another resolver may have finished while we waited for the turn.
        const approval = turn && (await store.findApprovalRequest(trx, workspaceId, id, true));
        if (!turn || !approval) throw notFound('approval request', id);
        assertIfMatch('approval request', ifMatch, approval.version);
        if (approval.state !== 'PENDING') {
          throw failedPrecondition(`approval request ${id} was already resolved: ${approval.state}`, {
            code: 'approval_resolved',
          });
        }
        const resolved = await store.resolveApprovalRequest(trx, id, {
          state: body.decision === 'APPROVE' ? 'APPROVED' : 'REJECTED',
          reason: body.reason ?? null,
          resolvedBy: caller.subject,
        });
        if (!(await store.hasPendingApprovals(trx, turn.id))) {
          await moveTurn(trx, turn, { kind: 'approvals_resolved' });
        }
        return resolved;
      });
      return toApprovalRequest(row);
    },
  };
}
