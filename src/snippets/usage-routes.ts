/**
 * HTTP routes of snippet usage: the workspace's (/v1/snippets:usage) and one snippet's
 * (/v1/snippets/{id}:usage, an AIP custom method; src/http/routing.ts routes it).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { requireWorkspace } from '../http/auth.ts';
import type { ApiApp } from '../http/context.ts';
import { pageRequest } from '../http/pagination.ts';
import { errorResponses, json, PageQuery, pathId, WorkspaceHeaders } from '../http/schemas.ts';
import { SnippetUsage, SnippetUsageList, type SnippetUsageService } from './usage.ts';

const tags = ['Snippets'];
const security = [{ BearerAuth: [] }];

const listUsage = createRoute({
  method: 'get',
  path: '/v1/snippets:usage',
  operationId: 'snippets.listUsage',
  tags,
  security,
  summary: 'List snippet dashboard usage in workspace',
  description:
    "The usage of the workspace's active snippets, in the order of `GET /v1/snippets` (`cursor` and `limit` are Atoll extensions; the first page holds the 50 newest). `dashboards` are the dashboards with a widget of the snippet now; `run_count` and `last_run` (Atoll) say how often it ran.",
  middleware: [requireWorkspace] as const,
  request: { query: PageQuery, headers: WorkspaceHeaders },
  responses: { 200: json(SnippetUsageList, 'Snippet dashboard usage'), ...errorResponses(400, 401, 403) },
});

const getUsage = createRoute({
  method: 'get',
  path: '/v1/snippets/{id}:usage',
  operationId: 'snippets.getUsage',
  tags,
  security,
  summary: 'Get snippet dashboard usage',
  description:
    'The usage of one snippet (archived ones too). `dashboards` are the dashboards with a widget of the snippet now; `run_count` and `last_run` (Atoll) say how often it ran.',
  middleware: [requireWorkspace] as const,
  request: { params: z.object({ id: pathId(54, 'Snippet ID') }), headers: WorkspaceHeaders },
  responses: { 200: json(SnippetUsage, 'Snippet dashboard usage'), ...errorResponses(400, 401, 403, 404) },
});

export function registerSnippetUsageRoutes(app: ApiApp, usage: SnippetUsageService): void {
  app.openapi(listUsage, async (c) =>
    c.json(await usage.list(c.var.workspaceId, pageRequest(c.req.valid('query'))), 200),
  );
  app.openapi(getUsage, async (c) =>
    c.json(await usage.get(c.var.workspaceId, c.req.valid('param').id), 200),
  );
}
