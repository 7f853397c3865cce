/**
 * HTTP routes of an install's deploy status (what Atoll knows) and of its pods and logs (what only the
 * cluster knows: a 404 saying Atoll has no cluster connection, once the install is known to exist).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { requireWorkspace } from '../http/auth.ts';
import type { ApiApp } from '../http/context.ts';
import { errorResponses, json, pathId, WorkspaceHeaders } from '../http/schemas.ts';
import { InstallStatus } from './schemas.ts';
import type { InstallStatusService } from './status.ts';

const tags = ['Installs'];
const security = [{ BearerAuth: [] }];
const IdParam = z.object({ id: pathId(55, 'Install ID') });
const NO_CLUSTER =
  'Atoll has no connection to clusters (it commits manifests to git; a GitOps controller applies them), so for an install that exists this answers 404 with `metadata.reason` `no_cluster_connection`: read them from the cluster. An unknown install is a plain 404.';

const getStatus = createRoute({
  method: 'get',
  path: '/v1/installs/{id}/status',
  operationId: 'installs.getStatus',
  tags,
  security,
  summary: 'Get install status',
  description:
    "What Atoll knows of the install's deployment: its state, the commit it last deployed (`revision`), whether a render is in flight (`reconciling`) and its newest render. Cluster-side fields (`health`, `sync`, `resources`, `operation_phase`) are always null: Atoll does not watch clusters.",
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, headers: WorkspaceHeaders },
  responses: { 200: json(InstallStatus, 'Install status'), ...errorResponses(400, 401, 403, 404) },
});

const listPods = createRoute({
  method: 'get',
  path: '/v1/installs/{id}/pods',
  operationId: 'installs.listPods',
  tags,
  security,
  summary: 'List install pods',
  description: `Pods run in the cluster. ${NO_CLUSTER}`,
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, headers: WorkspaceHeaders },
  responses: errorResponses(400, 401, 403, 404),
});

const LogsQuery = z.strictObject({
  pod: z.string().min(1).max(253).optional().openapi({ description: 'Pod name (all pods if omitted)' }),
  container: z.string().min(1).max(253).optional().openapi({ description: 'Container name' }),
  follow: z
    .enum(['true', 'false'], { error: 'follow must be true or false' })
    .optional()
    .openapi({ description: 'Follow log output' }),
  tail: z
    .string()
    .regex(/^\d{1,9}$/, 'tail must be a non-negative integer')
    .optional()
    .openapi({ description: 'Lines to tail' }),
  since_seconds: z
    .string()
    .regex(/^\d{1,9}$/, 'since_seconds must be a non-negative integer')
    .optional()
    .openapi({ description: 'Only return logs newer than this many seconds' }),
});

const getLogs = createRoute({
  method: 'get',
  path: '/v1/installs/{id}/logs',
  operationId: 'installs.getLogs',
  tags,
  security,
  summary: 'Stream install logs',
  description: `Logs are the cluster's containers'. ${NO_CLUSTER}`,
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, query: LogsQuery, headers: WorkspaceHeaders },
  responses: errorResponses(400, 401, 403, 404),
});

export function registerInstallStatusRoutes(app: ApiApp, status: InstallStatusService): void {
  app.openapi(getStatus, async (c) =>
    c.json(await status.get(c.var.workspaceId, c.req.valid('param').id), 200),
  );
  app.openapi(listPods, async (c) => status.clusterView(c.var.workspaceId, c.req.valid('param').id, 'pods'));
  app.openapi(getLogs, async (c) => status.clusterView(c.var.workspaceId, c.req.valid('param').id, 'logs'));
}
