/** HTTP routes of /v1/repositories (list, get). */
import { createRoute, z } from '@hono/zod-openapi';
import { requireWorkspace } from '../../http/auth.ts';
import type { ApiApp } from '../../http/context.ts';
import { setEtagHeader } from '../../http/etag.ts';
import { pageRequest } from '../../http/pagination.ts';
import { errorResponses, json, pathId, WorkspaceHeaders } from '../../http/schemas.ts';
import { GetRepositoryQuery, ListRepositoriesQuery, Repository, RepositoryList } from './schemas.ts';
import type { RepositoryService } from './service.ts';

const tags = ['Repositories'];
const security = [{ BearerAuth: [] }];

const list = createRoute({
  method: 'get',
  path: '/v1/repositories',
  operationId: 'repositories.list',
  tags,
  security,
  summary: 'List repositories',
  description:
    'Returns the git repositories of the active workspace, newest first: install (deploy) repositories, package repositories and change request forks. Each has a `clone_url` served over smart HTTP.',
  middleware: [requireWorkspace] as const,
  request: { query: ListRepositoriesQuery, headers: WorkspaceHeaders },
  responses: { 200: json(RepositoryList, 'List of repositories'), ...errorResponses(400, 401, 403) },
});

const get = createRoute({
  method: 'get',
  path: '/v1/repositories/{id}',
  operationId: 'repositories.get',
  tags,
  security,
  summary: 'Get repository',
  description:
    'Returns one repository. For a deploy repository, `last_deploy_sha` and `last_render_hash` are those of its last deployed render.',
  middleware: [requireWorkspace] as const,
  request: {
    params: z.object({ id: pathId(55, 'Repository ID') }),
    query: GetRepositoryQuery,
    headers: WorkspaceHeaders,
  },
  responses: { 200: json(Repository, 'Repository'), ...errorResponses(400, 401, 403, 404) },
});

export function registerRepositoryRoutes(app: ApiApp, service: RepositoryService): void {
  app.openapi(list, async (c) => {
    const query = c.req.valid('query');
    return c.json(await service.list(c.var.workspaceId, query.purpose, pageRequest(query), query.view), 200);
  });

  app.openapi(get, async (c) => {
    const repo = await service.get(c.var.workspaceId, c.req.valid('param').id, c.req.valid('query').view);
    setEtagHeader(c, repo.etag);
    return c.json(repo, 200);
  });
}
