/** HTTP routes of /v1/regions (list, create): schema, auth and one service call each. */
import { createRoute } from '@hono/zod-openapi';
import { requireWorkspace } from '../../http/auth.ts';
import type { ApiApp } from '../../http/context.ts';
import { pageRequest } from '../../http/pagination.ts';
import { errorResponses, json, jsonBody, PageQuery, WorkspaceHeaders } from '../../http/schemas.ts';
import { CreateRegionBody, Region, RegionList } from './schemas.ts';
import type { RegionService } from './service.ts';

const tags = ['Regions'];
const security = [{ BearerAuth: [] }];

const list = createRoute({
  method: 'get',
  path: '/v1/regions',
  operationId: 'regions.list',
  tags,
  security,
  summary: 'List regions in workspace',
  description:
    'Returns all regions belonging to the workspace specified in the workspace context, newest first; the built-in region `local` is always among them.',
  middleware: [requireWorkspace] as const,
  request: { query: PageQuery, headers: WorkspaceHeaders },
  responses: { 200: json(RegionList, 'List of regions'), ...errorResponses(400, 401, 403) },
});

const create = createRoute({
  method: 'post',
  path: '/v1/regions',
  operationId: 'regions.create',
  tags,
  security,
  summary: 'Create region',
  description:
    'Creates a named region in the workspace; installs name it by id (`region_id`). A name the workspace already uses is 422 (`metadata.reason` `already_exists`).',
  middleware: [requireWorkspace] as const,
  request: { headers: WorkspaceHeaders, body: jsonBody(CreateRegionBody) },
  responses: { 201: json(Region, 'Region created'), ...errorResponses(401, 403, 422) },
});

export function registerRegionRoutes(app: ApiApp, service: RegionService): void {
  app.openapi(list, async (c) =>
    c.json(await service.list(c.var.workspaceId, pageRequest(c.req.valid('query'))), 200),
  );

  app.openapi(create, async (c) => {
    const region = await service.create(c.var.workspaceId, c.var.caller, c.req.valid('json'));
    return c.json(region, 201);
  });
}
