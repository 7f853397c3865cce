/** HTTP routes of /v1/workspaces: schema, auth and one service call each. */
import { createRoute, z } from '@hono/zod-openapi';
import { requireCaller } from '../../http/auth.ts';
import type { ApiApp } from '../../http/context.ts';
import { setEtagHeader } from '../../http/etag.ts';
import { idempotent } from '../../http/idempotency.ts';
import { pageRequest } from '../../http/pagination.ts';
import {
  AkuaContextHeader,
  errorResponses,
  IdempotencyKeyHeader,
  IfMatchHeader,
  json,
  jsonBody,
  PageQuery,
  pathId,
} from '../../http/schemas.ts';
import { Operation } from '../../operations/schemas.ts';
import { CreateWorkspaceBody, UpdateWorkspaceBody, Workspace, WorkspaceList } from './schemas.ts';
import type { WorkspaceService } from './service.ts';

const tags = ['Workspaces'];
const security = [{ BearerAuth: [] }];
const IdParam = z.object({ id: pathId(53, 'Workspace ID') });

const list = createRoute({
  method: 'get',
  path: '/v1/workspaces',
  operationId: 'workspaces.list',
  tags,
  security,
  summary: 'List workspaces',
  description:
    'Workspaces visible to the credential: a workspace token sees its own; a JWT sees those it may act in, or only the one named by akua-context.',
  middleware: [requireCaller] as const,
  request: { query: PageQuery, headers: z.object({ 'akua-context': AkuaContextHeader }) },
  responses: { 200: json(WorkspaceList, 'Workspace list'), ...errorResponses(400, 401, 403) },
});

const create = createRoute({
  method: 'post',
  path: '/v1/workspaces',
  operationId: 'workspaces.create',
  tags,
  security,
  summary: 'Create workspace',
  description:
    'Creates a workspace for the authenticated user (an OAuth2 JWT subject, who becomes its owner).',
  middleware: [requireCaller] as const,
  request: {
    headers: z.object({ 'idempotency-key': IdempotencyKeyHeader.optional() }),
    body: jsonBody(CreateWorkspaceBody),
  },
  responses: { 201: json(Workspace, 'Workspace created'), ...errorResponses(401, 403, 409, 422) },
});

const get = createRoute({
  method: 'get',
  path: '/v1/workspaces/{id}',
  operationId: 'workspaces.get',
  tags,
  security,
  summary: 'Get workspace',
  middleware: [requireCaller] as const,
  request: { params: IdParam },
  responses: { 200: json(Workspace, 'Workspace details'), ...errorResponses(400, 401, 403, 404) },
});

const update = createRoute({
  method: 'patch',
  path: '/v1/workspaces/{id}',
  operationId: 'workspaces.update',
  tags,
  security,
  summary: 'Update workspace',
  description: 'Renames the workspace or changes its slug. Needs the owner or admin role.',
  middleware: [requireCaller] as const,
  request: {
    params: IdParam,
    headers: z.object({ 'akua-context': AkuaContextHeader, 'if-match': IfMatchHeader }),
    body: jsonBody(UpdateWorkspaceBody),
  },
  responses: { 200: json(Workspace, 'Workspace updated'), ...errorResponses(401, 403, 404, 409, 422, 428) },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/workspaces/{id}',
  operationId: 'workspaces.delete',
  tags,
  security,
  summary: 'Delete workspace',
  description:
    'Deletes the workspace and everything it owns; its API tokens stop working at once. Needs the owner role. Returns the finished workspace.delete operation.',
  middleware: [requireCaller] as const,
  request: {
    params: IdParam,
    headers: z.object({
      'akua-context': AkuaContextHeader,
      'idempotency-key': IdempotencyKeyHeader.optional(),
      'if-match': IfMatchHeader,
    }),
  },
  responses: {
    202: json(Operation, 'Workspace deletion accepted'),
    ...errorResponses(400, 401, 403, 404, 409, 428),
  },
});

export function registerWorkspaceRoutes(app: ApiApp, service: WorkspaceService): void {
  app.openapi(list, async (c) => {
    const requested = c.req.valid('header')['akua-context'];
    if (requested !== undefined) {
      const id = await c.var.authenticator.resolveWorkspace(c.var.caller, requested);
      return c.json({ data: [await service.get(c.var.caller, id)], has_more: false, next_cursor: null }, 200);
    }
    return c.json(await service.list(c.var.caller, pageRequest(c.req.valid('query'))), 200);
  });

  app.openapi(
    create,
    idempotent({ operation: 'workspaces.create' }, async (c) => {
      const workspace = await service.create(c.var.caller, c.req.valid('json'));
      setEtagHeader(c, workspace.etag);
      c.header('location', `/v1/workspaces/${workspace.id}`);
      return c.json(workspace, 201);
    }),
  );

  app.openapi(get, async (c) => {
    const workspace = await service.get(c.var.caller, c.req.valid('param').id);
    setEtagHeader(c, workspace.etag);
    return c.json(workspace, 200);
  });

  app.openapi(update, async (c) => {
    const workspace = await service.update(
      c.var.caller,
      c.req.valid('param').id,
      c.req.valid('header')['if-match'],
      c.req.valid('json'),
    );
    setEtagHeader(c, workspace.etag);
    return c.json(workspace, 200);
  });

  app.openapi(
    remove,
    idempotent({ operation: 'workspaces.delete' }, async (c) => {
      return c.json(
        await service.remove(c.var.caller, c.req.valid('param').id, c.req.valid('header')['if-match']),
        202,
      );
    }),
  );
}
