/** HTTP route of /v1/entitlements (list): schema, auth and one service call. */
import { createRoute } from '@hono/zod-openapi';
import { requireWorkspace } from '../../http/auth.ts';
import type { ApiApp } from '../../http/context.ts';
import { pageRequest } from '../../http/pagination.ts';
import { errorResponses, json, WorkspaceHeaders } from '../../http/schemas.ts';
import { EntitlementList, EntitlementsQuery } from './schemas.ts';
import type { EntitlementService } from './service.ts';

const list = createRoute({
  method: 'get',
  path: '/v1/entitlements',
  operationId: 'entitlements.list',
  tags: ['Entitlements'],
  security: [{ BearerAuth: [] }],
  summary: 'List entitlements',
  description:
    'What this server offers the workspace of the request: the features it serves (`bool`), the caps it enforces (`max_count`) and what it does not cap (`unlimited`), filtered by `workspace`, `feature_set` and `feature`. docs/regions-and-quotas.md.',
  middleware: [requireWorkspace] as const,
  request: { query: EntitlementsQuery, headers: WorkspaceHeaders },
  responses: { 200: json(EntitlementList, 'Entitlement list'), ...errorResponses(400, 401, 403) },
});

export function registerEntitlementRoutes(app: ApiApp, service: EntitlementService): void {
  app.openapi(list, async (c) => {
    const { cursor, limit, ...filters } = c.req.valid('query');
    return c.json(service.list(c.var.workspaceId, filters, pageRequest({ cursor, limit })), 200);
  });
}
