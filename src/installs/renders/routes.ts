/**
 * HTTP routes of an install's renders: create (201, carried out by the job queue), list, get, and (Atoll
 * extension) the diff of a render's commit.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { requireWorkspace } from '../../http/auth.ts';
import type { ApiApp } from '../../http/context.ts';
import { idempotent } from '../../http/idempotency.ts';
import { pageRequest } from '../../http/pagination.ts';
import {
  errorResponses,
  IdempotencyKeyHeader,
  json,
  PageQuery,
  pathId,
  WorkspaceHeaders,
} from '../../http/schemas.ts';
import { CreateInstallRenderBody, InstallRender, InstallRenderDiff, InstallRenderList } from '../schemas.ts';
import type { RenderService } from './service.ts';

const tags = ['Installs'];
const security = [{ BearerAuth: [] }];
const IdParam = z.object({ id: pathId(55, 'Install ID') });

const create = createRoute({
  method: 'post',
  path: '/v1/installs/{id}/renders',
  operationId: 'installs.createRender',
  tags,
  security,
  summary: 'Create install render',
  description:
    "Renders the install's package version against its values and commits the manifests to its repository (`message` is the commit message). Returns the render `running` (or already `skipped` when nothing it depends on changed since the last render: docs/installs.md); follow it with GET …/renders/{render_id} or POST /v1/operations/{operation_id}:wait. With `skip_unchanged` (default true) a render whose `render_hash` equals the repository's last one ends `skipped` without a commit. `extra_annotations` are stamped on every object.",
  middleware: [requireWorkspace] as const,
  request: {
    params: IdParam,
    headers: WorkspaceHeaders.extend({ 'idempotency-key': IdempotencyKeyHeader.optional() }),
    body: { content: { 'application/json': { schema: CreateInstallRenderBody } }, required: false },
  },
  responses: {
    201: json(InstallRender, 'Render artifact created'),
    ...errorResponses(400, 401, 403, 404, 409, 415, 422),
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/installs/{id}/renders',
  operationId: 'installs.listRenders',
  tags,
  security,
  summary: 'List install renders',
  description: 'Returns the renders of an install, newest first.',
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, query: PageQuery, headers: WorkspaceHeaders },
  responses: { 200: json(InstallRenderList, 'Renders'), ...errorResponses(400, 401, 403, 404) },
});

const get = createRoute({
  method: 'get',
  path: '/v1/installs/{id}/renders/{render_id}',
  operationId: 'installs.getRender',
  tags,
  security,
  summary: 'Get install render',
  description: 'Returns one render: its state, `render_hash`, `commit_sha` and, when it failed, why.',
  middleware: [requireWorkspace] as const,
  request: { params: IdParam.extend({ render_id: pathId(54, 'Render ID') }), headers: WorkspaceHeaders },
  responses: { 200: json(InstallRender, 'Render'), ...errorResponses(400, 401, 403, 404) },
});

const diff = createRoute({
  method: 'get',
  path: '/v1/installs/{id}/renders/{render_id}/diff',
  operationId: 'installs.getRenderDiff',
  tags,
  security,
  summary: 'Get install render diff',
  description:
    "Atoll extension: what the render's commit changed, against the commit before it on the install's main branch (its first parent; the empty tree for the first commit): each changed file with its status, line counts and unified patch, capped at 1000 files, 256 KiB per patch and 2 MiB in all (`truncated`). A render that made no commit (running, skipped, failed) answers `commit_sha: null` and no files. 409 once the install was deleted (its repository is purged). docs/installs.md.",
  middleware: [requireWorkspace] as const,
  request: { params: IdParam.extend({ render_id: pathId(54, 'Render ID') }), headers: WorkspaceHeaders },
  responses: { 200: json(InstallRenderDiff, 'Render diff'), ...errorResponses(400, 401, 403, 404, 409) },
});

export function registerRenderRoutes(app: ApiApp, service: RenderService): void {
  app.openapi(
    create,
    idempotent({ operation: 'installs.createRender' }, async (c) => {
      const { id } = c.req.valid('param');
      const body = (c.req.valid('json') ?? {}) as CreateInstallRenderBody;
      const actor = { workspaceId: c.var.workspaceId, caller: c.var.caller };
      const render = await service.create(actor, { installId: id, body });
      c.header('location', `/v1/installs/${id}/renders/${render.id}`);
      return c.json(render, 201);
    }),
  );

  app.openapi(list, async (c) =>
    c.json(
      await service.list(c.var.workspaceId, c.req.valid('param').id, pageRequest(c.req.valid('query'))),
      200,
    ),
  );

  app.openapi(get, async (c) => {
    const { id, render_id } = c.req.valid('param');
    return c.json(await service.get(c.var.workspaceId, id, render_id), 200);
  });

  app.openapi(diff, async (c) => {
    const { id, render_id } = c.req.valid('param');
    return c.json(await service.diff(c.var.workspaceId, id, render_id), 200);
  });
}
