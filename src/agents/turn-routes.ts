/** HTTP routes of /v1/agent_turns (submit, list, get, :cancel): schema, auth and one service call each. */
import { createRoute, z } from '@hono/zod-openapi';
import { requireWorkspace } from '../http/auth.ts';
import type { ApiApp } from '../http/context.ts';
import { setEtagHeader } from '../http/etag.ts';
import { idempotent } from '../http/idempotency.ts';
import { pageRequest } from '../http/pagination.ts';
import {
  errorResponses,
  IdempotencyKeyHeader,
  json,
  jsonBody,
  PageQuery,
  pathId,
  WorkspaceHeaders,
} from '../http/schemas.ts';
import { Id54 } from './schemas.ts';
import type { TurnService } from './turn-service.ts';
import { AgentTurn, AgentTurnList, CancelAgentTurnBody, CreateAgentTurnBody } from './turn-schemas.ts';

const tags = ['Agent Turns'];
const security = [{ BearerAuth: [] }];
const IdParam = z.object({ id: pathId(54, 'Agent turn ID') });
const IdempotentHeaders = WorkspaceHeaders.extend({ 'idempotency-key': IdempotencyKeyHeader.optional() });

const create = createRoute({
  method: 'post',
  path: '/v1/agent_turns',
  operationId: 'agentTurns.create',
  tags,
  security,
  summary: 'Submit agent turn',
  description:
    'Submits one instruction to an agent session. The turn starts QUEUED; the session must not be archived and its agent must be enabled (409).',
  middleware: [requireWorkspace] as const,
  request: { headers: IdempotentHeaders, body: jsonBody(CreateAgentTurnBody) },
  responses: { 201: json(AgentTurn, 'Agent turn queued'), ...errorResponses(401, 403, 404, 409, 422) },
});

const list = createRoute({
  method: 'get',
  path: '/v1/agent_turns',
  operationId: 'agentTurns.list',
  tags,
  security,
  summary: 'List agent turns',
  description: 'Lists agent turns in the workspace or one session, newest first.',
  middleware: [requireWorkspace] as const,
  request: { query: PageQuery.extend({ session: Id54.optional() }), headers: WorkspaceHeaders },
  responses: { 200: json(AgentTurnList, 'List of agent turns'), ...errorResponses(400, 401, 403) },
});

const get = createRoute({
  method: 'get',
  path: '/v1/agent_turns/{id}',
  operationId: 'agentTurns.get',
  tags,
  security,
  summary: 'Get agent turn',
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, headers: WorkspaceHeaders },
  responses: { 200: json(AgentTurn, 'Agent turn details'), ...errorResponses(400, 401, 403, 404) },
});

const cancel = createRoute({
  method: 'post',
  path: '/v1/agent_turns/{id}:cancel',
  operationId: 'agentTurns.cancel',
  tags,
  security,
  summary: 'Cancel agent turn',
  description:
    'Cancels a queued, running or waiting turn and appends a turn.cancelled event; its pending approval requests are rejected. Cancelling a cancelled turn returns it unchanged; a completed or failed turn is 422. The body is optional.',
  middleware: [requireWorkspace] as const,
  request: {
    params: IdParam,
    headers: IdempotentHeaders,
    body: { content: { 'application/json': { schema: CancelAgentTurnBody } }, required: false },
  },
  responses: { 200: json(AgentTurn, 'Agent turn cancelled'), ...errorResponses(401, 403, 404, 422) },
});

export function registerTurnRoutes(app: ApiApp, service: TurnService): void {
  app.openapi(
    create,
    idempotent({ operation: 'agentTurns.create' }, async (c) => {
      const turn = await service.create(c.var.workspaceId, c.var.caller, c.req.valid('json'));
      setEtagHeader(c, turn.etag);
      c.header('location', `/v1/agent_turns/${turn.id}`);
      return c.json(turn, 201);
    }),
  );

  app.openapi(list, async (c) => {
    const { session, ...page } = c.req.valid('query');
    return c.json(await service.list(c.var.workspaceId, { sessionId: session }, pageRequest(page)), 200);
  });

  app.openapi(get, async (c) => {
    const turn = await service.get(c.var.workspaceId, c.req.valid('param').id);
    setEtagHeader(c, turn.etag);
    return c.json(turn, 200);
  });

  app.openapi(
    cancel,
    idempotent({ operation: 'agentTurns.cancel' }, async (c) => {
      const turn = await service.cancel(
        { workspaceId: c.var.workspaceId, caller: c.var.caller },
        { id: c.req.valid('param').id, reason: c.req.valid('json').reason },
      );
      setEtagHeader(c, turn.etag);
      return c.json(turn, 200);
    }),
  );
}
