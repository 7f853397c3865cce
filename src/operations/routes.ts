/** HTTP routes of /v1/operations (list, get, :wait, :cancel): schema, auth and one service call each. */
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
  WorkspaceHeaders,
} from '../http/schemas.ts';
import { operationEtag } from './revision.ts';
import { ListOperationsQuery, Operation, OperationIdParam, OperationList, WaitQuery } from './schemas.ts';
import type { OperationService } from './service.ts';

const tags = ['Operations'];
const security = [{ BearerAuth: [] }];
const IdParam = z.object({ id: OperationIdParam });
const EVENTUAL =
  'State for in-flight operations is eventually consistent — may lag actual execution by a few seconds. State for completed operations (`done: true`) is immutable.';

const list = createRoute({
  method: 'get',
  path: '/v1/operations',
  operationId: 'operations.list',
  tags,
  security,
  summary: 'List operations',
  description: `Workspace-scoped list of long-running operations, newest first. Without filters returns every operation in the workspace; with \`?owner_type=install&owner_id=<id>\` narrows to a single entity (the two go together, else 400).\n\n${EVENTUAL}`,
  middleware: [requireWorkspace] as const,
  request: { query: ListOperationsQuery, headers: WorkspaceHeaders },
  responses: {
    200: json(OperationList, 'List of operations (without per-step detail)'),
    ...errorResponses(400, 401, 403),
  },
});

const get = createRoute({
  method: 'get',
  path: '/v1/operations/{id}',
  operationId: 'operations.get',
  tags,
  security,
  summary: 'Get operation details + steps',
  description: `Returns the operation with its per-step progress. While \`done\` is false, prefer \`POST /v1/operations/{id}:wait\` to polling this. When done, \`response\` carries the result (\`SUCCEEDED\`) or \`error.message\` the reason (\`FAILED\`, \`CANCELLED\`).\n\n${EVENTUAL}`,
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, headers: WorkspaceHeaders },
  responses: {
    200: json(Operation, 'Operation details (with steps)'),
    ...errorResponses(400, 401, 403, 404),
  },
});

const wait = createRoute({
  method: 'post',
  path: '/v1/operations/{id}:wait',
  operationId: 'operations.wait',
  tags,
  security,
  summary: 'Wait for an operation to reach a terminal state',
  description: `Long-polls server-side until the operation reaches a terminal state (\`SUCCEEDED\`, \`FAILED\`, \`CANCELLED\`) or the timeout elapses. Returns the latest \`Operation\` either way — check \`done\` to distinguish. The response follows a settlement within milliseconds (a wake-up on commit, with a re-read every 2 s as a fallback).\n\n${EVENTUAL}`,
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, query: WaitQuery, headers: WorkspaceHeaders },
  responses: {
    200: json(Operation, 'Operation in its latest known state (terminal or still running on timeout)'),
    ...errorResponses(400, 401, 403, 404),
  },
});

const cancel = createRoute({
  method: 'post',
  path: '/v1/operations/{id}:cancel',
  operationId: 'operations.cancel',
  tags,
  security,
  summary: 'Request operation cancellation',
  description:
    'Requests cancellation of an in-flight operation and returns it as it is now (202); the work stops asynchronously and the operation then settles CANCELLED, or finishes first. 422 when the operation is already done or its kind cannot be cancelled. An optional if-match must name the ETag last served for the operation (409 otherwise). Replaying with the same idempotency-key returns the first response.',
  middleware: [requireWorkspace] as const,
  request: {
    params: IdParam,
    headers: WorkspaceHeaders.extend({
      'idempotency-key': IdempotencyKeyHeader.optional(),
      'if-match': IfMatchHeader.optional(),
    }),
  },
  responses: {
    202: json(Operation, 'Cancellation requested; operation transition is in progress'),
    ...errorResponses(401, 403, 404, 409, 422),
  },
});

export function registerOperationRoutes(app: ApiApp, service: OperationService): void {
  app.openapi(list, async (c) => {
    const query = c.req.valid('query');
    const filter = { ownerType: query.owner_type, ownerId: query.owner_id };
    return c.json(await service.list(c.var.workspaceId, filter, pageRequest(query)), 200);
  });

  app.openapi(get, async (c) => {
    const operation = await service.get(c.var.workspaceId, c.req.valid('param').id);
    setEtagHeader(c, operationEtag(operation));
    return c.json(operation, 200);
  });

  app.openapi(wait, async (c) => {
    const seconds = c.req.valid('query').timeout;
    const operation = await service.wait(
      c.var.workspaceId,
      c.req.valid('param').id,
      seconds * 1000,
      c.req.raw.signal,
    );
    setEtagHeader(c, operationEtag(operation));
    return c.json(operation, 200);
  });

  app.openapi(
    cancel,
    idempotent({ operation: 'operations.cancel' }, async (c) => {
      const operation = await service.cancel(
        c.var.workspaceId,
        c.var.caller,
        c.req.valid('param').id,
        c.req.valid('header')['if-match'],
      );
      setEtagHeader(c, operationEtag(operation));
      return c.json(operation, 202);
    }),
  );
}
