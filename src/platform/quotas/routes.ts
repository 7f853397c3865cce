/** HTTP routes of /v1/quotas (list, get one metric): schema, auth and one service call each. */
import { createRoute } from '@hono/zod-openapi';
import { requireWorkspace } from '../../http/auth.ts';
import type { ApiApp } from '../../http/context.ts';
import { errorResponses, json, WorkspaceHeaders } from '../../http/schemas.ts';
import { MetricParam, QuotaInfo, QuotaInfoList, QuotasQuery } from './schemas.ts';
import type { QuotaService } from './service.ts';

const tags = ['Quotas'];
const security = [{ BearerAuth: [] }];

const list = createRoute({
  method: 'get',
  path: '/v1/quotas',
  operationId: 'quotas.list',
  tags,
  security,
  summary: 'List quota usage for the authenticated user',
  description:
    'Returns the limits Atoll enforces and their current usage for the workspace of the request: concurrency quotas only (Atoll keeps no rate limits and caps no allocation). Atoll has no clusters: `cluster_id` is refused (403). docs/regions-and-quotas.md.',
  middleware: [requireWorkspace] as const,
  request: { query: QuotasQuery, headers: WorkspaceHeaders },
  responses: { 200: json(QuotaInfoList, 'Quota info for all metrics'), ...errorResponses(400, 401, 403) },
});

const get = createRoute({
  method: 'get',
  path: '/v1/quotas/{metric}',
  operationId: 'quotas.get',
  tags,
  security,
  summary: 'Get quota usage for a specific metric',
  description:
    'Returns current usage and limit for a single quota metric. The metric must be URL-encoded (e.g. `snippets%2Fexecutions`); an unknown one is 404.',
  middleware: [requireWorkspace] as const,
  request: { params: MetricParam, headers: WorkspaceHeaders },
  responses: { 200: json(QuotaInfo, 'Quota info'), ...errorResponses(400, 401, 403, 404) },
});

export function registerQuotaRoutes(app: ApiApp, service: QuotaService): void {
  app.openapi(list, async (c) => c.json(await service.list(c.var.workspaceId, c.req.valid('query')), 200));

  app.openapi(get, async (c) =>
    c.json(await service.get(c.var.workspaceId, c.req.valid('param').metric), 200),
  );
}
