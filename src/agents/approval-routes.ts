/** HTTP routes of /v1/approval_requests (list, :resolve): schema, auth and one service call each. */
import { createRoute, z } from '@hono/zod-openapi';
import { requireWorkspace } from '../http/auth.ts';
import type { ApiApp } from '../http/context.ts';
import { setEtagHeader } from '../http/etag.ts';
import { idempotent } from '../http/idempotency.ts';
import { pageRequest } from '../http/pagination.ts';
import {
  errorResponses,
  IdempotencyKeyHeader,
  IfMatchHeader,
  json,
  jsonBody,
  PageQuery,
  pathId,
  WorkspaceHeaders,
} from '../http/schemas.ts';
import {
  ApprovalRequest,
  ApprovalRequestList,
  ApprovalState,
  ResolveApprovalRequestBody,
} from './approval-schemas.ts';
import type { ApprovalService } from './approval-service.ts';
import { Id54 } from './schemas.ts';

const tags = ['Approval Requests'];
const security = [{ BearerAuth: [] }];

const list = createRoute({
  method: 'get',
  path: '/v1/approval_requests',
  operationId: 'approvalRequests.list',
  tags,
  security,
  summary: 'List approval requests',
  description: 'Lists pending and resolved approval requests in the workspace, newest first.',
  middleware: [requireWorkspace] as const,
  request: {
    query: PageQuery.extend({
      state: ApprovalState.optional(),
      agent: Id54.optional(),
      session: Id54.optional(),
    }),
    headers: WorkspaceHeaders,
  },
  responses: {
    200: json(ApprovalRequestList, 'List of approval requests'),
    ...errorResponses(400, 401, 403),
  },
});

const resolve = createRoute({
  method: 'post',
  path: '/v1/approval_requests/{id}:resolve',
  operationId: 'approvalRequests.resolve',
  tags,
  security,
  summary: 'Resolve approval request',
  description:
    'Approves or rejects a pending approval request (once: a resolved one is 409). Requires if-match and an idempotency-key. When its turn has no pending approvals left, a turn waiting for permission runs again.',
  middleware: [requireWorkspace] as const,
  request: {
    params: z.object({ id: pathId(54, 'Approval request ID') }),
    headers: WorkspaceHeaders.extend({ 'if-match': IfMatchHeader, 'idempotency-key': IdempotencyKeyHeader }),
    body: jsonBody(ResolveApprovalRequestBody),
  },
  responses: {
    200: json(ApprovalRequest, 'Approval request resolved'),
    ...errorResponses(401, 403, 404, 409, 422, 428),
  },
});

export function registerApprovalRoutes(app: ApiApp, service: ApprovalService): void {
  app.openapi(list, async (c) => {
    const { state, agent, session, ...page } = c.req.valid('query');
    const filters = { state, agentId: agent, sessionId: session };
    return c.json(await service.list(c.var.workspaceId, filters, pageRequest(page)), 200);
  });

  app.openapi(
    resolve,
    idempotent({ operation: 'approvalRequests.resolve', required: true }, async (c) => {
      const approval = await service.resolve(
        { workspaceId: c.var.workspaceId, caller: c.var.caller },
        {
          id: c.req.valid('param').id,
          ifMatch: c.req.valid('header')['if-match'],
          body: c.req.valid('json'),
        },
      );
      setEtagHeader(c, approval.etag);
      return c.json(approval, 200);
    }),
  );
}
