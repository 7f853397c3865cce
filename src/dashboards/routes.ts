/** HTTP routes of /v1/dashboards and their revisions: schema, auth and one service call each. */
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
  jsonBody,
  PageQuery,
  pathId,
  WorkspaceHeaders,
} from '../http/schemas.ts';
import {
  CreateDashboardBody,
  CreateDashboardRevisionBody,
  Dashboard,
  DashboardIdResponse,
  DashboardList,
  DashboardRevision,
  DashboardRevisionList,
  DashboardRevisionMutationResponse,
  RestoreDashboardRevisionBody,
  UpdateDashboardBody,
} from './schemas.ts';
import type { DashboardService } from './service.ts';

const tags = ['Dashboards'];
const security = [{ BearerAuth: [] }];
export const DashboardIdParam = z.object({ id: pathId(55, 'Dashboard ID') });
const RevisionParams = DashboardIdParam.extend({ revision_id: pathId(55, 'Revision ID') });
const WriteHeaders = WorkspaceHeaders.extend({ 'if-match': IfMatchHeader });
const RevisionHeaders = WriteHeaders.extend({ 'idempotency-key': IdempotencyKeyHeader });

/** A dashboards route: its tag, bearer auth and a workspace. */
export const route = <R extends Parameters<typeof createRoute>[0]>(r: R) =>
  createRoute({ tags, security, middleware: [requireWorkspace] as const, ...r });

const list = route({
  method: 'get',
  path: '/v1/dashboards',
  operationId: 'dashboards.list',
  summary: 'List dashboards',
  description: "The workspace's dashboards (its overview, once read, and custom ones), newest first.",
  request: { query: PageQuery, headers: WorkspaceHeaders },
  responses: { 200: json(DashboardList, 'Dashboards'), ...errorResponses(400, 401, 403) },
});

const create = route({
  method: 'post',
  path: '/v1/dashboards',
  operationId: 'dashboards.create',
  summary: 'Create dashboard',
  description:
    'Creates a custom dashboard, optionally with snippet widgets (in order), and its first revision.',
  request: { headers: WorkspaceHeaders, body: jsonBody(CreateDashboardBody) },
  responses: { 201: json(DashboardIdResponse, 'Dashboard created'), ...errorResponses(401, 403, 409, 422) },
});

const overview = route({
  method: 'get',
  path: '/v1/dashboards/workspace_overview',
  operationId: 'dashboards.getWorkspaceOverview',
  summary: 'Get the workspace overview',
  description:
    "The workspace's one shared overview dashboard, made (empty, with its first revision) when first read.",
  request: { headers: WorkspaceHeaders },
  responses: { 200: json(Dashboard, 'The workspace overview'), ...errorResponses(400, 401, 403, 404, 409) },
});

const get = route({
  method: 'get',
  path: '/v1/dashboards/{id}',
  operationId: 'dashboards.get',
  summary: 'Get dashboard',
  description: 'A dashboard with its filters and widgets; its etag is also in the ETag header.',
  request: { params: DashboardIdParam, headers: WorkspaceHeaders },
  responses: { 200: json(Dashboard, 'Dashboard'), ...errorResponses(400, 401, 403, 404) },
});

const update = route({
  method: 'patch',
  path: '/v1/dashboards/{id}',
  operationId: 'dashboards.update',
  summary: 'Update dashboard',
  description: 'Renames or redescribes the dashboard (if-match required); one new revision.',
  request: { params: DashboardIdParam, headers: WriteHeaders, body: jsonBody(UpdateDashboardBody) },
  responses: {
    200: json(DashboardIdResponse, 'Dashboard updated'),
    ...errorResponses(400, 401, 404, 409, 422, 428),
  },
});

const remove = route({
  method: 'delete',
  path: '/v1/dashboards/{id}',
  operationId: 'dashboards.delete',
  summary: 'Delete dashboard',
  description:
    'Deletes a custom dashboard (if-match required). The workspace overview cannot be deleted (409).',
  request: { params: DashboardIdParam, headers: WriteHeaders },
  responses: { 204: { description: 'Dashboard deleted' }, ...errorResponses(400, 401, 404, 409, 428) },
});

const listRevisions = route({
  method: 'get',
  path: '/v1/dashboards/{id}/revisions',
  operationId: 'dashboards.listRevisions',
  summary: 'List dashboard revisions',
  description: 'Every revision of the dashboard, newest first, each with its snippet etag drift.',
  request: { params: DashboardIdParam, query: PageQuery, headers: WorkspaceHeaders },
  responses: { 200: json(DashboardRevisionList, 'Revisions'), ...errorResponses(401, 403, 404, 422) },
});

const createRevision = route({
  method: 'post',
  path: '/v1/dashboards/{id}/revisions',
  operationId: 'dashboards.createRevision',
  summary: 'Create dashboard revision',
  description:
    'Replaces the whole definition (name, description, filters, default filter values, widgets in order) as one revision. Widgets named by widget_id keep their identity.',
  request: {
    params: DashboardIdParam,
    headers: RevisionHeaders,
    body: jsonBody(CreateDashboardRevisionBody),
  },
  responses: {
    201: json(DashboardRevisionMutationResponse, 'Revision created'),
    ...errorResponses(401, 403, 404, 409, 422, 428),
  },
});

const getRevision = route({
  method: 'get',
  path: '/v1/dashboards/{id}/revisions/{revision_id}',
  operationId: 'dashboards.getRevision',
  summary: 'Get dashboard revision',
  description:
    'One revision: the definition it recorded, what changed from its parent, and snippet etag drift.',
  request: { params: RevisionParams, headers: WorkspaceHeaders },
  responses: { 200: json(DashboardRevision, 'Revision'), ...errorResponses(401, 403, 404, 422) },
});

const restoreRevision = route({
  method: 'post',
  path: '/v1/dashboards/{id}/revisions/{revision_id}:restore',
  operationId: 'dashboards.restoreRevision',
  summary: 'Restore dashboard revision',
  description:
    "Makes an earlier revision's definition current again, as a new revision (source restore). Refused (409) while a snippet it uses is archived or gone.",
  request: {
    params: RevisionParams,
    headers: RevisionHeaders,
    body: { content: { 'application/json': { schema: RestoreDashboardRevisionBody } }, required: false },
  },
  responses: {
    201: json(DashboardRevisionMutationResponse, 'Revision restored'),
    ...errorResponses(401, 403, 404, 409, 422, 428),
  },
});

const reset = route({
  method: 'post',
  path: '/v1/dashboards/{id}:resetToRecommended',
  operationId: 'dashboards.resetToRecommended',
  summary: 'Reset dashboard to recommended widgets',
  description:
    "Replaces the widgets with Atoll's recommended platform metrics (snippet runs and renders by state in the time filter's window, agent sessions in progress, sandboxes in use), adding a `time` filter if missing; one revision (source reset).",
  request: { params: DashboardIdParam, headers: RevisionHeaders },
  responses: {
    201: json(DashboardRevisionMutationResponse, 'Dashboard reset'),
    ...errorResponses(401, 403, 404, 409, 422, 428),
  },
});

export function registerDashboardRoutes(app: ApiApp, service: DashboardService): void {
  app.openapi(list, async (c) =>
    c.json(await service.list(c.var.workspaceId, pageRequest(c.req.valid('query'))), 200),
  );

  app.openapi(create, async (c) => {
    const created = await service.create(c.var.workspaceId, c.var.caller, c.req.valid('json'));
    c.header('location', `/v1/dashboards/${created.dashboard_id}`);
    return c.json(created, 201);
  });

  // Before /v1/dashboards/{id}, which would otherwise take `workspace_overview` as an id.
  app.openapi(overview, async (c) => {
    const dashboard = await service.overview(c.var.workspaceId, c.var.caller);
    setEtagHeader(c, dashboard.etag);
    return c.json(dashboard, 200);
  });

  app.openapi(get, async (c) => {
    const dashboard = await service.get(c.var.workspaceId, c.req.valid('param').id);
    setEtagHeader(c, dashboard.etag);
    return c.json(dashboard, 200);
  });

  app.openapi(update, async (c) => {
    const { id } = c.req.valid('param');
    const done = await service.update(
      c.var.workspaceId,
      c.var.caller,
      id,
      c.req.valid('header')['if-match'],
      c.req.valid('json'),
    );
    setEtagHeader(c, done.etag);
    return c.json({ dashboard_id: done.dashboard_id }, 200);
  });

  app.openapi(remove, async (c) => {
    await service.delete(c.var.workspaceId, c.req.valid('param').id, c.req.valid('header')['if-match']);
    return c.body(null, 204);
  });

  app.openapi(
    reset,
    idempotent({ operation: 'dashboards.resetToRecommended', required: true }, async (c) => {
      const done = await service.resetToRecommended(
        c.var.workspaceId,
        c.var.caller,
        c.req.valid('param').id,
        c.req.valid('header')['if-match'],
      );
      setEtagHeader(c, done.dashboard_etag);
      return c.json(done, 201);
    }),
  );

  app.openapi(listRevisions, async (c) =>
    c.json(
      await service.listRevisions(
        c.var.workspaceId,
        c.req.valid('param').id,
        pageRequest(c.req.valid('query')),
      ),
      200,
    ),
  );

  app.openapi(
    createRevision,
    idempotent({ operation: 'dashboards.createRevision', required: true }, async (c) => {
      const done = await service.createRevision(
        c.var.workspaceId,
        c.var.caller,
        c.req.valid('param').id,
        c.req.valid('header')['if-match'],
        c.req.valid('json'),
      );
      setEtagHeader(c, done.dashboard_etag);
      return c.json(done, 201);
    }),
  );

  app.openapi(getRevision, async (c) => {
    const { id, revision_id } = c.req.valid('param');
    return c.json(await service.getRevision(c.var.workspaceId, id, revision_id), 200);
  });

  app.openapi(
    restoreRevision,
    idempotent({ operation: 'dashboards.restoreRevision', required: true }, async (c) => {
      const { id, revision_id } = c.req.valid('param');
      const body = (c.req.valid('json') as { summary?: string } | undefined) ?? {};
      const done = await service.restoreRevision(
        c.var.workspaceId,
        c.var.caller,
        id,
        revision_id,
        c.req.valid('header')['if-match'],
        body.summary,
      );
      setEtagHeader(c, done.dashboard_etag);
      return c.json(done, 201);
    }),
  );
}
