/** HTTP routes of /v1/registry_connections (list, create, delete): schema, auth and one service call each. */
import { createRoute, z } from '@hono/zod-openapi';
import { requireWorkspace } from '../../http/auth.ts';
import type { ApiApp } from '../../http/context.ts';
import { idempotent } from '../../http/idempotency.ts';
import { pageRequest } from '../../http/pagination.ts';
import {
  errorResponses,
  IdempotencyKeyHeader,
  json,
  jsonBody,
  PageQuery,
  WorkspaceHeaders,
} from '../../http/schemas.ts';
import { CreateRegistryCredentialBody, RegistryCredential, RegistryCredentialList } from './schemas.ts';
import type { RegistryConnectionService } from './service.ts';

const tags = ['Registry'];
const security = [{ BearerAuth: [] }];

const list = createRoute({
  method: 'get',
  path: '/v1/registry_connections',
  operationId: 'registry.listCredentials',
  tags,
  security,
  summary: 'List registry credentials',
  description: 'Returns credentials for the workspace, newest first. Credential secrets are never exposed.',
  middleware: [requireWorkspace] as const,
  request: { query: PageQuery, headers: WorkspaceHeaders },
  responses: { 200: json(RegistryCredentialList, 'List of credentials'), ...errorResponses(400, 401, 403) },
});

const create = createRoute({
  method: 'post',
  path: '/v1/registry_connections',
  operationId: 'registry.createCredential',
  tags,
  security,
  summary: 'Create registry credential',
  description:
    'Adds a registry credential to the workspace, used to pull Helm charts from that registry. `basic` takes `username` and `password`, `token` a bearer `token`; `oauth` is refused (422). The credentials are stored sealed and never returned. A registry the workspace already has a credential for is 409.',
  middleware: [requireWorkspace] as const,
  request: {
    headers: WorkspaceHeaders.extend({ 'idempotency-key': IdempotencyKeyHeader.optional() }),
    body: jsonBody(CreateRegistryCredentialBody),
  },
  responses: {
    201: json(RegistryCredential, 'Credential created'),
    ...errorResponses(400, 401, 403, 409, 422),
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/registry_connections/{id}',
  operationId: 'registry.deleteCredential',
  tags,
  security,
  summary: 'Delete registry credential',
  description: 'Deletes the credential; pulls from its registry go without credentials afterwards.',
  middleware: [requireWorkspace] as const,
  request: { params: z.object({ id: z.string().min(1).max(55) }), headers: WorkspaceHeaders },
  responses: { 204: { description: 'Credential deleted' }, ...errorResponses(400, 401, 403, 404) },
});

export function registerRegistryConnectionRoutes(app: ApiApp, service: RegistryConnectionService): void {
  app.openapi(list, async (c) =>
    c.json(await service.list(c.var.workspaceId, pageRequest(c.req.valid('query'))), 200),
  );

  app.openapi(
    create,
    idempotent({ operation: 'registry.createCredential' }, async (c) =>
      c.json(await service.create(c.var.workspaceId, c.var.caller, c.req.valid('json')), 201),
    ),
  );

  app.openapi(remove, async (c) => {
    await service.delete(c.var.workspaceId, c.req.valid('param').id);
    return c.body(null, 204);
  });
}
