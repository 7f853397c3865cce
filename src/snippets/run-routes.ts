/**
 * HTTP routes that read snippet runs: per snippet (/v1/snippets/{id}/runs) and the workspace history
 * (/v1/snippet_runs). Creating runs belongs to execution, which registers its own routes.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { requireWorkspace } from '../http/auth.ts';
import type { ApiApp } from '../http/context.ts';
import { pageRequest } from '../http/pagination.ts';
import { errorResponses, json, PageQuery, pathId, WorkspaceHeaders } from '../http/schemas.ts';
import { RunSource, RunState, RunView, SnippetRun, SnippetRunList } from './run-schemas.ts';
import type { SnippetService } from './service.ts';

const tags = ['Snippet Runs'];
const security = [{ BearerAuth: [] }];
const SnippetIdParam = z.object({ id: pathId(54, 'Snippet ID') });
const RunIdParam = z.object({ id: pathId(54, 'Snippet run ID') });
const ViewQuery = RunView.default('basic');

const listForSnippet = createRoute({
  method: 'get',
  path: '/v1/snippets/{id}/runs',
  operationId: 'snippets.listRuns',
  tags,
  security,
  summary: 'List snippet runs',
  description: 'Runs of a snippet, newest first. `view=basic` (the default) leaves out output and error.',
  middleware: [requireWorkspace] as const,
  request: {
    params: SnippetIdParam,
    query: PageQuery.extend({ state: RunState.optional(), view: ViewQuery }),
    headers: WorkspaceHeaders,
  },
  responses: { 200: json(SnippetRunList, 'List of snippet runs'), ...errorResponses(400, 401, 403, 404) },
});

const getForSnippet = createRoute({
  method: 'get',
  path: '/v1/snippets/{id}/runs/{run_id}',
  operationId: 'snippets.getRun',
  tags,
  security,
  summary: 'Get snippet run',
  description: 'Returns a single run of the snippet, with its output and error.',
  middleware: [requireWorkspace] as const,
  request: {
    params: SnippetIdParam.extend({ run_id: pathId(54, 'Snippet run ID') }),
    headers: WorkspaceHeaders,
  },
  responses: { 200: json(SnippetRun, 'Snippet run details'), ...errorResponses(400, 401, 403, 404) },
});

const list = createRoute({
  method: 'get',
  path: '/v1/snippet_runs',
  operationId: 'snippetRuns.list',
  tags,
  security,
  summary: 'List workspace snippet runs',
  description:
    'Durable snippet execution activity for the workspace, newest first, filtered by state, source, snippet or dashboard.',
  middleware: [requireWorkspace] as const,
  request: {
    query: PageQuery.extend({
      state: RunState.optional(),
      source: RunSource.optional(),
      snippet: z.string().min(1).max(54).optional(),
      dashboard: z.string().min(1).max(55).optional(),
      view: ViewQuery,
    }),
    headers: WorkspaceHeaders,
  },
  responses: { 200: json(SnippetRunList, 'Workspace snippet-run history'), ...errorResponses(400, 401, 403) },
});

const get = createRoute({
  method: 'get',
  path: '/v1/snippet_runs/{id}',
  operationId: 'snippetRuns.get',
  tags,
  security,
  summary: 'Get workspace snippet run',
  description: 'Returns one durable snippet execution, including its terminal payload.',
  middleware: [requireWorkspace] as const,
  request: { params: RunIdParam, headers: WorkspaceHeaders },
  responses: { 200: json(SnippetRun, 'Snippet run details'), ...errorResponses(400, 401, 403, 404) },
});

export function registerSnippetRunRoutes(app: ApiApp, service: SnippetService): void {
  app.openapi(listForSnippet, async (c) => {
    const { state, view, ...page } = c.req.valid('query');
    const id = c.req.valid('param').id;
    return c.json(
      await service.listSnippetRuns(c.var.workspaceId, id, { state }, view, pageRequest(page)),
      200,
    );
  });

  app.openapi(getForSnippet, async (c) => {
    const { id, run_id } = c.req.valid('param');
    return c.json(await service.getSnippetRun(c.var.workspaceId, id, run_id), 200);
  });

  app.openapi(list, async (c) => {
    const { state, source, snippet, dashboard, view, ...page } = c.req.valid('query');
    const filters = { state, source, snippetId: snippet, dashboardId: dashboard };
    return c.json(await service.listRuns(c.var.workspaceId, filters, view, pageRequest(page)), 200);
  });

  app.openapi(get, async (c) =>
    c.json(await service.getRun(c.var.workspaceId, c.req.valid('param').id), 200),
  );
}
