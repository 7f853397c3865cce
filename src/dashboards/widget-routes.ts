/** HTTP routes of /v1/dashboards/{id}/widgets: schema, auth and one service call each. */
import { z } from '@hono/zod-openapi';
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
import { DashboardIdParam, route } from './routes.ts';
import {
  CreateDashboardWidgetBody,
  UpdateDashboardWidgetBody,
  Widget,
  WidgetList,
} from './widget-schemas.ts';
import type { ResultService } from './results.ts';
import { DashboardWidgetResultResolution, PlatformMetricResolution } from './schemas.ts';
import type { WidgetService } from './widgets.ts';

const WidgetParams = DashboardIdParam.extend({ wgt_id: pathId(54, 'Widget ID') });

const list = route({
  method: 'get',
  path: '/v1/dashboards/{id}/widgets',
  operationId: 'dashboards.listWidgets',
  summary: 'List dashboard widgets',
  description: "The dashboard's widgets in position order.",
  request: { params: DashboardIdParam, query: PageQuery, headers: WorkspaceHeaders },
  responses: { 200: json(WidgetList, 'Widgets'), ...errorResponses(400, 401, 403, 404) },
});

const create = route({
  method: 'post',
  path: '/v1/dashboards/{id}/widgets',
  operationId: 'dashboards.createWidget',
  summary: 'Add dashboard widget',
  description:
    'Adds a snippet widget at `position` (default: last; the others move down) as one revision of the dashboard.',
  request: {
    params: DashboardIdParam,
    headers: WorkspaceHeaders.extend({ 'idempotency-key': IdempotencyKeyHeader.optional() }),
    body: jsonBody(CreateDashboardWidgetBody),
  },
  responses: { 201: json(Widget, 'Widget added'), ...errorResponses(401, 403, 404, 409, 422) },
});

const get = route({
  method: 'get',
  path: '/v1/dashboards/{id}/widgets/{wgt_id}',
  operationId: 'dashboards.getWidget',
  summary: 'Get dashboard widget',
  description: 'One widget; its etag is also in the ETag header.',
  request: { params: WidgetParams, headers: WorkspaceHeaders },
  responses: { 200: json(Widget, 'Widget'), ...errorResponses(400, 401, 403, 404) },
});

const update = route({
  method: 'patch',
  path: '/v1/dashboards/{id}/widgets/{wgt_id}',
  operationId: 'dashboards.updateWidget',
  summary: 'Update dashboard widget',
  description:
    "Changes a widget's fields or position (if-match: the widget's etag), as one revision of the dashboard.",
  request: {
    params: WidgetParams,
    headers: WorkspaceHeaders.extend({
      'if-match': IfMatchHeader,
      'idempotency-key': IdempotencyKeyHeader.optional(),
    }),
    body: jsonBody(UpdateDashboardWidgetBody),
  },
  responses: { 200: json(Widget, 'Widget updated'), ...errorResponses(401, 403, 404, 409, 422, 428) },
});

const remove = route({
  method: 'delete',
  path: '/v1/dashboards/{id}/widgets/{wgt_id}',
  operationId: 'dashboards.deleteWidget',
  summary: 'Remove dashboard widget',
  description: "Removes a widget (if-match: the widget's etag); the others close up. One revision.",
  request: { params: WidgetParams, headers: WorkspaceHeaders.extend({ 'if-match': IfMatchHeader }) },
  responses: { 204: { description: 'Widget removed' }, ...errorResponses(400, 401, 403, 404, 409, 428) },
});

/** Atoll: what a widget's result is resolved for. */
const ResolveWidgetBody = z
  .strictObject({
    filter_values: z.record(z.string(), z.unknown()).optional().openapi({
      description:
        "Values of the dashboard's filters by key; a filter left out takes the dashboard's default_filter_values.",
    }),
    refresh: z.boolean().optional().openapi({
      description: 'Run the snippet even when a fresh result is cached (a dashboard_refresh run).',
    }),
  })
  .openapi('ResolveWidgetBody');

const resolve = route({
  method: 'post',
  path: '/v1/dashboards/{id}/widgets/{wgt_id}:resolve',
  operationId: 'dashboards.resolveWidget',
  summary: "Resolve a widget's result",
  description:
    "Atoll: the widget's result for the given filter values: a cached run while fresh under the widget's freshness policy, else a new persisted run of its snippet (source dashboard_open, or dashboard_refresh with `refresh`). Cached per widget, inputs, snippet etag and viewer (docs/dashboards.md).",
  request: {
    params: WidgetParams,
    headers: WorkspaceHeaders,
    body: { content: { 'application/json': { schema: ResolveWidgetBody } }, required: false },
  },
  responses: {
    200: json(
      z.union([DashboardWidgetResultResolution, PlatformMetricResolution]),
      "The widget's result: a snippet widget's run, or a platform_metric widget's figure",
    ),
    ...errorResponses(400, 401, 403, 404, 409, 422),
  },
});

export function registerWidgetRoutes(app: ApiApp, service: WidgetService, results: ResultService): void {
  app.openapi(resolve, async (c) => {
    const { id, wgt_id } = c.req.valid('param');
    const body = (c.req.valid('json') as z.infer<typeof ResolveWidgetBody> | undefined) ?? {};
    return c.json(
      await results.resolve({ caller: c.var.caller, workspaceId: c.var.workspaceId }, id, wgt_id, body),
      200,
    );
  });

  app.openapi(list, async (c) =>
    c.json(
      await service.list(c.var.workspaceId, c.req.valid('param').id, pageRequest(c.req.valid('query'))),
      200,
    ),
  );

  app.openapi(
    create,
    idempotent({ operation: 'dashboards.createWidget' }, async (c) => {
      const { id } = c.req.valid('param');
      const widget = await service.create(c.var.workspaceId, c.var.caller, id, c.req.valid('json'));
      setEtagHeader(c, widget.etag);
      c.header('location', `/v1/dashboards/${id}/widgets/${widget.id}`);
      return c.json(widget, 201);
    }),
  );

  app.openapi(get, async (c) => {
    const { id, wgt_id } = c.req.valid('param');
    const widget = await service.get(c.var.workspaceId, id, wgt_id);
    setEtagHeader(c, widget.etag);
    return c.json(widget, 200);
  });

  app.openapi(
    update,
    idempotent({ operation: 'dashboards.updateWidget' }, async (c) => {
      const { id, wgt_id } = c.req.valid('param');
      const widget = await service.update(
        c.var.workspaceId,
        c.var.caller,
        id,
        wgt_id,
        c.req.valid('header')['if-match'],
        c.req.valid('json'),
      );
      setEtagHeader(c, widget.etag);
      return c.json(widget, 200);
    }),
  );

  app.openapi(remove, async (c) => {
    const { id, wgt_id } = c.req.valid('param');
    await service.delete(c.var.workspaceId, c.var.caller, id, wgt_id, c.req.valid('header')['if-match']);
    return c.body(null, 204);
  });
}
