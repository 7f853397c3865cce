/**
 * HTTP routes of installs: create (202 install.create operation), list, get, delete (202 install.delete
 * operation), the lifecycle verbs :update and :restore (202, each starts a render) and the automatic
 * updates switch (200; turning it on may start a render).
 */
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
  PageQuery,
  pathId,
  WorkspaceHeaders,
} from '../http/schemas.ts';
import { invalid } from '../http/errors.ts';
import { Operation } from '../operations/schemas.ts';
import type { RenderService } from './renders/service.ts';
import {
  CreateInstallBody,
  Install,
  InstallLifecycleMutation,
  InstallList,
  RestoreInstallBody,
  SetInstallAutomaticUpdatesBody,
  UpdateInstallVersionBody,
} from './schemas.ts';
import type { InstallService } from './service.ts';

const tags = ['Installs'];
const security = [{ BearerAuth: [] }];
const IdParam = z.object({ id: pathId(55, 'Install ID') });
const MutationHeaders = WorkspaceHeaders.extend({
  'if-match': IfMatchHeader,
  'idempotency-key': IdempotencyKeyHeader,
});

const create = createRoute({
  method: 'post',
  path: '/v1/installs',
  operationId: 'installs.create',
  tags,
  security,
  summary: 'Create install',
  description: `Installs a package version (\`package_version_pin\` latest or pinned) with \`initial_values\` checked against its input schema. Returns the install.create operation, which performs the first render into the install's git repository. \`region_id\` names a region of the workspace (\`local\` always exists): docs/installs.md.`,
  middleware: [requireWorkspace] as const,
  request: {
    headers: WorkspaceHeaders.extend({ 'idempotency-key': IdempotencyKeyHeader.optional() }),
    body: { content: { 'application/json': { schema: CreateInstallBody } }, required: true },
  },
  responses: {
    202: json(Operation, 'Install creation accepted'),
    ...errorResponses(400, 401, 403, 409, 415, 422),
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/installs',
  operationId: 'installs.list',
  tags,
  security,
  summary: 'List installs',
  description: 'Returns the installs of the active workspace, newest first (deleted ones are not listed).',
  middleware: [requireWorkspace] as const,
  request: {
    query: PageQuery.extend({
      product_id: z
        .string()
        .min(1)
        .max(55)
        .optional()
        .openapi({ description: 'Atoll has no products: filtering by one is refused (422).' }),
    }),
    headers: WorkspaceHeaders,
  },
  responses: { 200: json(InstallList, 'List of installs'), ...errorResponses(400, 401, 403) },
});

const get = createRoute({
  method: 'get',
  path: '/v1/installs/{id}',
  operationId: 'installs.get',
  tags,
  security,
  summary: 'Get install',
  description: 'Returns one install with its state and repository.',
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, headers: WorkspaceHeaders },
  responses: { 200: json(Install, 'Install'), ...errorResponses(400, 401, 403, 404) },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/installs/{id}',
  operationId: 'installs.delete',
  tags,
  security,
  summary: 'Delete install',
  description:
    'Marks the install deleted at once and returns the install.delete operation, which (after the renders already queued) closes its change requests and purges its git repositories.',
  middleware: [requireWorkspace] as const,
  request: {
    params: IdParam,
    headers: WorkspaceHeaders.extend({
      'if-match': IfMatchHeader,
      'idempotency-key': IdempotencyKeyHeader.optional(),
    }),
  },
  responses: {
    202: json(Operation, 'Delete workflow started'),
    ...errorResponses(400, 401, 403, 404, 409, 428),
  },
});

const update = createRoute({
  method: 'post',
  path: '/v1/installs/{id}:update',
  operationId: 'installs.updateVersion',
  tags,
  security,
  summary: 'Update install version',
  description:
    "Starts a render of another version of the install's package with the install's values. The install reports the new version (`package_version_id`) only once that render deploys; until then it is `desired_version_id`.",
  middleware: [requireWorkspace] as const,
  request: {
    params: IdParam,
    headers: MutationHeaders,
    body: { content: { 'application/json': { schema: UpdateInstallVersionBody } }, required: true },
  },
  responses: {
    202: json(InstallLifecycleMutation, 'Version update render accepted'),
    ...errorResponses(400, 401, 403, 404, 409, 422, 428),
  },
});

const restore = createRoute({
  method: 'post',
  path: '/v1/installs/{id}:restore',
  operationId: 'installs.restore',
  tags,
  security,
  summary: 'Restore install render',
  description:
    "Makes a new forward commit of a deployed render's files (history is never rewritten); the install returns to that render's version and values.",
  middleware: [requireWorkspace] as const,
  request: {
    params: IdParam,
    headers: MutationHeaders,
    body: { content: { 'application/json': { schema: RestoreInstallBody } }, required: true },
  },
  responses: {
    202: json(InstallLifecycleMutation, 'Restore render accepted'),
    ...errorResponses(400, 401, 403, 404, 409, 422, 428),
  },
});

const setAutomaticUpdates = createRoute({
  method: 'patch',
  path: '/v1/installs/{id}/automatic_updates',
  operationId: 'installs.setAutomaticUpdates',
  tags,
  security,
  summary: 'Set automatic install updates',
  description:
    "Turns automatic updates on (the install follows its package's latest version; if it is not on it or moving to it, the update render starts and is returned) or off (the install is pinned to the version it is on). Setting what is set already changes nothing (`render` null).",
  middleware: [requireWorkspace] as const,
  request: {
    params: IdParam,
    headers: MutationHeaders,
    body: { content: { 'application/json': { schema: SetInstallAutomaticUpdatesBody } }, required: true },
  },
  responses: {
    200: json(InstallLifecycleMutation, 'Automatic-update policy updated'),
    ...errorResponses(400, 401, 403, 404, 409, 422, 428),
  },
});

export function registerInstallRoutes(app: ApiApp, installs: InstallService, renders: RenderService): void {
  app.openapi(
    create,
    idempotent({ operation: 'installs.create' }, async (c) => {
      const op = await installs.create(
        c.var.workspaceId,
        c.var.caller,
        c.req.valid('json'),
        c.req.valid('header')['idempotency-key'],
      );
      c.header('location', `/v1/operations/${op.id}`);
      return c.json(op, 202);
    }),
  );

  app.openapi(list, async (c) => {
    const query = c.req.valid('query');
    if (query.product_id !== undefined)
      throw invalid(['query', 'product_id'], 'Atoll has no products; installs are of packages');
    return c.json(await installs.list(c.var.workspaceId, pageRequest(query)), 200);
  });

  app.openapi(get, async (c) => {
    const install = await installs.get(c.var.workspaceId, c.req.valid('param').id);
    setEtagHeader(c, install.etag);
    return c.json(install, 200);
  });

  app.openapi(
    remove,
    idempotent({ operation: 'installs.delete' }, async (c) => {
      const op = await installs.delete(
        { workspaceId: c.var.workspaceId, caller: c.var.caller },
        { installId: c.req.valid('param').id, ifMatch: c.req.valid('header')['if-match'] },
      );
      c.header('location', `/v1/operations/${op.id}`);
      return c.json(op, 202);
    }),
  );

  app.openapi(
    update,
    idempotent({ operation: 'installs.updateVersion' }, async (c) => {
      const { id } = c.req.valid('param');
      const result = await renders.update(
        { workspaceId: c.var.workspaceId, caller: c.var.caller },
        {
          installId: id,
          ifMatch: c.req.valid('header')['if-match'],
          versionId: c.req.valid('json').package_version_id,
        },
      );
      setEtagHeader(c, result.install.etag);
      return c.json(result, 202);
    }),
  );

  app.openapi(
    setAutomaticUpdates,
    idempotent({ operation: 'installs.setAutomaticUpdates' }, async (c) => {
      const result = await renders.setAutomaticUpdates(
        { workspaceId: c.var.workspaceId, caller: c.var.caller },
        {
          installId: c.req.valid('param').id,
          ifMatch: c.req.valid('header')['if-match'],
          enabled: c.req.valid('json').automatic_updates_enabled,
        },
      );
      setEtagHeader(c, result.install.etag);
      return c.json(result, 200);
    }),
  );

  app.openapi(
    restore,
    idempotent({ operation: 'installs.restore' }, async (c) => {
      const { id } = c.req.valid('param');
      const result = await renders.restore(
        { workspaceId: c.var.workspaceId, caller: c.var.caller },
        {
          installId: id,
          ifMatch: c.req.valid('header')['if-match'],
          renderId: c.req.valid('json').render_id,
        },
      );
      setEtagHeader(c, result.install.etag);
      return c.json(result, 202);
    }),
  );
}
