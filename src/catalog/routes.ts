/** HTTP routes of /v1/agent_skills and /v1/agent_templates (list, get): schema, auth and one service call each. */
import { createRoute, z } from '@hono/zod-openapi';
import { requireWorkspace } from '../http/auth.ts';
import type { ApiApp } from '../http/context.ts';
import { setEtagHeader } from '../http/etag.ts';
import { errorResponses, json, PageQuery, pathId, WorkspaceHeaders } from '../http/schemas.ts';
import { AgentSkill, AgentSkillList, AgentTemplate, AgentTemplateList } from './schemas.ts';
import type { CatalogService } from './service.ts';

const security = [{ BearerAuth: [] }];

const listSkills = createRoute({
  method: 'get',
  path: '/v1/agent_skills',
  operationId: 'agentSkills.list',
  tags: ['Agent skills'],
  security,
  summary: 'List agent skills',
  description:
    'Lists published agent skills visible to the workspace: what agents running on Atoll can do, in id order.',
  middleware: [requireWorkspace] as const,
  request: { query: PageQuery, headers: WorkspaceHeaders },
  responses: { 200: json(AgentSkillList, 'Agent skill list'), ...errorResponses(400, 401, 403) },
});

const getSkill = createRoute({
  method: 'get',
  path: '/v1/agent_skills/{id}',
  operationId: 'agentSkills.get',
  tags: ['Agent skills'],
  security,
  summary: 'Get agent skill',
  description: 'Gets one agent skill.',
  middleware: [requireWorkspace] as const,
  request: { params: z.object({ id: pathId(54, 'Agent skill ID') }), headers: WorkspaceHeaders },
  responses: { 200: json(AgentSkill, 'Agent skill'), ...errorResponses(400, 401, 403, 404) },
});

const listTemplates = createRoute({
  method: 'get',
  path: '/v1/agent_templates',
  operationId: 'agentTemplates.list',
  tags: ['Agent templates'],
  security,
  summary: 'List agent templates',
  description:
    'Lists platform-curated agent templates visible to the workspace, in id order. Each one is an agent body POST /v1/agents accepts, plus the agent deployment that goes with it.',
  middleware: [requireWorkspace] as const,
  request: { query: PageQuery, headers: WorkspaceHeaders },
  responses: { 200: json(AgentTemplateList, 'Agent template list'), ...errorResponses(400, 401, 403) },
});

const getTemplate = createRoute({
  method: 'get',
  path: '/v1/agent_templates/{id}',
  operationId: 'agentTemplates.get',
  tags: ['Agent templates'],
  security,
  summary: 'Get agent template',
  description: 'Gets one platform-curated agent template.',
  middleware: [requireWorkspace] as const,
  request: { params: z.object({ id: pathId(56, 'Agent template ID') }), headers: WorkspaceHeaders },
  responses: { 200: json(AgentTemplate, 'Agent template'), ...errorResponses(400, 401, 403, 404) },
});

export function registerCatalogRoutes(app: ApiApp, service: CatalogService): void {
  app.openapi(listSkills, (c) => c.json(service.listSkills(c.var.workspaceId, c.req.valid('query')), 200));

  app.openapi(getSkill, (c) => {
    const skill = service.getSkill(c.var.workspaceId, c.req.valid('param').id);
    setEtagHeader(c, skill.etag);
    return c.json(skill, 200);
  });

  app.openapi(listTemplates, (c) => c.json(service.listTemplates(c.req.valid('query')), 200));

  app.openapi(getTemplate, (c) => {
    const template = service.getTemplate(c.req.valid('param').id);
    setEtagHeader(c, template.etag);
    return c.json(template, 200);
  });
}
