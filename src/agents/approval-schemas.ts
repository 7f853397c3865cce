/** Approval request schemas (Akua `ApprovalRequest`, `ApprovalRequestList`, the resolve body). */
import { z } from '@hono/zod-openapi';
import { listOf, UnixSeconds } from '../http/schemas.ts';
import { Id54 } from './schemas.ts';

export const ApprovalState = z.enum(['PENDING', 'APPROVED', 'REJECTED']);

export const ApprovalRequest = z
  .object({
    id: Id54.openapi({ example: 'apr_j572abc123def456' }),
    workspace_id: z.string().min(1).max(53),
    agent_id: Id54,
    session_id: Id54,
    turn_id: Id54,
    state: ApprovalState,
    title: z.string(),
    summary: z.string(),
    actions: z.array(z.unknown()).default([]),
    created_by: z.string(),
    // Atoll extensions: the spec's resource does not say who resolved it, when or why.
    reason: z
      .string()
      .nullable()
      .openapi({ description: 'Atoll extension: the reason given when it was resolved.' }),
    resolved_by: z
      .string()
      .nullable()
      .openapi({ description: 'Atoll extension: who resolved it, the token id or JWT subject.' }),
    resolved_at: UnixSeconds.nullable().openapi({ description: 'Atoll extension: when it was resolved.' }),
    created_at: UnixSeconds,
    updated_at: UnixSeconds,
    etag: z.string(),
  })
  .openapi('ApprovalRequest');
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;

export const ApprovalRequestList = listOf(ApprovalRequest, 'ApprovalRequestList');

export const ResolveApprovalRequestBody = z
  .strictObject({
    decision: z.enum(['APPROVE', 'REJECT']),
    reason: z.string().min(1).max(2000).optional(),
  })
  .openapi('ResolveApprovalRequestBody');
export type ResolveApprovalRequestBody = z.infer<typeof ResolveApprovalRequestBody>;
