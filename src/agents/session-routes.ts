/**
 * HTTP routes of /v1/agent_sessions (create, list, get, archive, :setRetention): schema, auth and one
 * service call each.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { requireWorkspace } from '../http/auth.ts';
import type { ApiApp } from '../http/context.ts';
import { setEtagHeader } from '../http/etag.ts';
import { pageRequest } from '../http/pagination.ts';
import { errorResponses, json, jsonBody, PageQuery, pathId, WorkspaceHeaders } from '../http/schemas.ts';
import type { SessionService } from './session-service.ts';
import {
  AgentSession,
  AgentSessionList,
  CreateAgentSessionBody,
  SessionFilterQuery,
  SetAgentSessionRetentionBody,
} from './session-schemas.ts';

const tags = ['Agent Sessions'];
const security = [{ BearerAuth: [] }];
const IdParam = z.object({ id: pathId(54, 'Agent session ID') });

const create = createRoute({
  method: 'post',
  path: '/v1/agent_sessions',
  operationId: 'agentSessions.create',
  tags,
  security,
  summary: 'Create agent session',
  description:
    'Creates a durable workspace-scoped session for an enabled agent. Lineage ids (parent, fork, spawning turn) must name sessions and turns of the workspace.',
  middleware: [requireWorkspace] as const,
  request: { headers: WorkspaceHeaders, body: jsonBody(CreateAgentSessionBody) },
  responses: { 201: json(AgentSession, 'Agent session created'), ...errorResponses(401, 403, 404, 409, 422) },
});

const list = createRoute({
  method: 'get',
  path: '/v1/agent_sessions',
  operationId: 'agentSessions.list',
  tags,
  security,
  summary: 'List agent sessions',
  description: 'Lists agent sessions in the workspace, archived ones included, newest first.',
  middleware: [requireWorkspace] as const,
  request: { query: PageQuery.extend(SessionFilterQuery.shape), headers: WorkspaceHeaders },
  responses: { 200: json(AgentSessionList, 'List of agent sessions'), ...errorResponses(400, 401, 403) },
});

const get = createRoute({
  method: 'get',
  path: '/v1/agent_sessions/{id}',
  operationId: 'agentSessions.get',
  tags,
  security,
  summary: 'Get agent session',
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, headers: WorkspaceHeaders },
  responses: { 200: json(AgentSession, 'Agent session details'), ...errorResponses(400, 401, 403, 404) },
});

const archive = createRoute({
  method: 'delete',
  path: '/v1/agent_sessions/{id}',
  operationId: 'agentSessions.archive',
  tags,
  security,
  summary: 'Archive agent session',
  description:
    'Archives the session: it takes no new turns; turns in flight are not cancelled. Archiving an archived session returns it unchanged.',
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, headers: WorkspaceHeaders },
  responses: { 200: json(AgentSession, 'Agent session archived'), ...errorResponses(400, 401, 403, 404) },
});

const setRetention = createRoute({
  method: 'post',
  path: '/v1/agent_sessions/{id}:setRetention',
  operationId: 'agentSessions.setRetention',
  tags,
  security,
  summary: 'Set agent session retention',
  description:
    'Replaces how long the session’s events and filesystem are kept, and whether the filesystem is pinned.',
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, headers: WorkspaceHeaders, body: jsonBody(SetAgentSessionRetentionBody) },
  responses: {
    200: json(AgentSession, 'Agent session retention updated'),
    ...errorResponses(400, 401, 403, 404, 422),
  },
});

export function registerSessionRoutes(app: ApiApp, service: SessionService): void {
  app.openapi(create, async (c) => {
    const session = await service.create(c.var.workspaceId, c.var.caller, c.req.valid('json'));
    setEtagHeader(c, session.etag);
    c.header('location', `/v1/agent_sessions/${session.id}`);
    return c.json(session, 201);
  });

  app.openapi(list, async (c) => {
    const { agent, parent_session, forked_from_session, spawned_by_turn, agent_role, ...page } =
      c.req.valid('query');
    const filters = {
      agentId: agent,
      parentSessionId: parent_session,
      forkedFromSessionId: forked_from_session,
      spawnedByTurnId: spawned_by_turn,
      agentRole: agent_role,
    };
    return c.json(await service.list(c.var.workspaceId, filters, pageRequest(page)), 200);
  });

  app.openapi(get, async (c) => {
    const session = await service.get(c.var.workspaceId, c.req.valid('param').id);
    setEtagHeader(c, session.etag);
    return c.json(session, 200);
  });

  app.openapi(archive, async (c) => {
    const session = await service.archive(c.var.workspaceId, c.req.valid('param').id);
    setEtagHeader(c, session.etag);
    return c.json(session, 200);
  });

  app.openapi(setRetention, async (c) => {
    const session = await service.setRetention(
      c.var.workspaceId,
      c.req.valid('param').id,
      c.req.valid('json'),
    );
    setEtagHeader(c, session.etag);
    return c.json(session, 200);
  });
}
