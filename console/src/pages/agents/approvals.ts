/**
 * Approval requests: every one of a session (there is no GET by id, so a session's are read through the
 * list's `session` filter, page after page), and resolving one with its etag as `if-match`.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Schema } from '@atoll/client';
import { api, call, newIdempotencyKey, useWorkspaceKey } from '../../api.ts';

export type ApprovalRequest = Schema<'ApprovalRequest'>;

/** At most this many pages of 100 are read for one session. */
const MAX_PAGES = 20;

export function useSessionApprovals(sessionId: string) {
  const ws = useWorkspaceKey();
  return useQuery({
    queryKey: [ws, 'approvals', { session: sessionId }],
    queryFn: async () => {
      const all = new Map<string, ApprovalRequest>();
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const list = await call(
          api.GET('/v1/approval_requests', { params: { query: { session: sessionId, limit: 100, cursor } } }),
        );
        for (const a of list.data) all.set(a.id, a);
        if (!list.has_more || !list.next_cursor) break;
        cursor = list.next_cursor;
      }
      return all;
    },
  });
}

export type Decision = Schema<'ResolveApprovalRequestBody'>['decision'];

/** Resolves an approval request (once); afterwards every approval, turn and session query is refreshed. */
export function useResolveApproval(approval: ApprovalRequest) {
  const ws = useWorkspaceKey();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ decision, reason }: { decision: Decision; reason: string }) =>
      call(
        api.POST('/v1/approval_requests/{id}:resolve', {
          params: {
            path: { id: approval.id },
            header: {
              'if-match': approval.etag,
              'idempotency-key': newIdempotencyKey(),
            },
          },
          body: { decision, ...(reason.trim() ? { reason: reason.trim() } : {}) },
        }),
      ),
    onSettled: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: [ws, 'approvals'] }),
        queryClient.invalidateQueries({ queryKey: [ws, 'turns'] }),
        queryClient.invalidateQueries({ queryKey: [ws, 'session', approval.session_id] }),
      ]);
    },
  });
}
