/** HTTP routes of /v1/agents (create, list, get, update, archive, :enable): schema, auth and one service call each. */
import { createRoute, z } from '@hono/zod-openapi';
import { requireWorkspace } from '../http/auth.ts';
import type { ApiApp } from '../http/context.ts';
import { setEtagHeader } from '../http/etag.ts';
import { pageRequest } from '../http/pagination.ts';
import {
  errorResponses,
  IfMatchHeader,
  json,
  jsonBody,
  PageQuery,
  pathId,
  WorkspaceHeaders,
} from '../http/schemas.ts';
import type { AgentService } from './agent-service.ts';
import { Agent, AgentList, CreateAgentBody, UpdateAgentBody } from './schemas.ts';

const tags = ['Agents'];
const security = [{ BearerAuth: [] }];
const IdParam = z.object({ id: pathId(54, 'Agent ID') });

const create = createRoute({
  method: 'post',
  path: '/v1/agents',
  operationId: 'agents.create',
  tags,
  security,
  summary: 'Create agent',
  description:
    'Creates an enabled agent in the workspace. Without a model_policy the agent gets the default policy (docs/agents.md).',
  middleware: [requireWorkspace] as const,
  request: { headers: WorkspaceHeaders, body: jsonBody(CreateAgentBody) },
  responses: { 201: json(Agent, 'Agent created'), ...errorResponses(401, 403, 422) },
});

const list = createRoute({
  method: 'get',
  path: '/v1/agents',
  operationId: 'agents.list',
  tags,
  security,
  summary: 'List agents',
  description: "The workspace's agents, archived ones included, newest first.",
  middleware: [requireWorkspace] as const,
  request: { query: PageQuery, headers: WorkspaceHeaders },
  responses: { 200: json(AgentList, 'List of agents'), ...errorResponses(400, 401, 403) },
});

const get = createRoute({
  method: 'get',
  path: '/v1/agents/{id}',
  operationId: 'agents.get',
  tags,
  security,
  summary: 'Get agent',
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, headers: WorkspaceHeaders },
  responses: { 200: json(Agent, 'Agent details'), ...errorResponses(400, 401, 403, 404) },
});

const update = createRoute({
  method: 'patch',
  path: '/v1/agents/{id}',
  operationId: 'agents.update',
  tags,
  security,
  summary: 'Update agent',
  description:
    'Changes the fields given; `ambient: null` removes the ambient configuration. Requires if-match. An archived agent cannot be changed (409).',
  middleware: [requireWorkspace] as const,
  request: {
    params: IdParam,
    headers: WorkspaceHeaders.extend({ 'if-match': IfMatchHeader }),
    body: jsonBody(UpdateAgentBody),
  },
  responses: { 200: json(Agent, 'Agent updated'), ...errorResponses(401, 403, 404, 409, 422, 428) },
});

const archive = createRoute({
  method: 'delete',
  path: '/v1/agents/{id}',
  operationId: 'agents.archive',
  tags,
  security,
  summary: 'Archive agent',
  description:
    'Archives the agent: it keeps its sessions and history but takes no new sessions or turns. Archiving an archived agent returns it unchanged.',
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, headers: WorkspaceHeaders },
  responses: { 200: json(Agent, 'Agent archived'), ...errorResponses(400, 401, 403, 404) },
});

const enable = createRoute({
  method: 'post',
  path: '/v1/agents/{id}:enable',
  operationId: 'agents.enable',
  tags,
  security,
  summary: 'Enable agent',
  description: 'Enables an archived agent. Enabling an enabled agent returns it unchanged.',
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, headers: WorkspaceHeaders },
  responses: { 200: json(Agent, 'Agent enabled'), ...errorResponses(400, 401, 403, 404) },
});

export function registerAgentRoutes(app: ApiApp, service: AgentService): void {
  app.openapi(create, async (c) => {
    const agent = await service.create(c.var.workspaceId, c.var.caller, c.req.valid('json'));
    setEtagHeader(c, agent.etag);
    c.header('location', `/v1/agents/${agent.id}`);
    return c.json(agent, 201);
  });

  app.openapi(list, async (c) =>
    c.json(await service.list(c.var.workspaceId, pageRequest(c.req.valid('query'))), 200),
  );

  app.openapi(get, async (c) => {
    const agent = await service.get(c.var.workspaceId, c.req.valid('param').id);
    setEtagHeader(c, agent.etag);
    return c.json(agent, 200);
  });

  app.openapi(update, async (c) => {
    const agent = await service.update(
      c.var.workspaceId,
      c.req.valid('param').id,
      c.req.valid('header')['if-match'],
      c.req.valid('json'),
    );
    setEtagHeader(c, agent.etag);
    return c.json(agent, 200);
  });

  app.openapi(archive, async (c) => {
    const agent = await service.archive(c.var.workspaceId, c.req.valid('param').id);
    setEtagHeader(c, agent.etag);
    return c.json(agent, 200);
  });

  app.openapi(enable, async (c) => {
    const agent = await service.enable(c.var.workspaceId, c.req.valid('param').id);
    setEtagHeader(c, agent.etag);
    return c.json(agent, 200);
  });
}
