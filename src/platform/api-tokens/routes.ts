/** HTTP routes of /v1/api_tokens. */
import { createRoute, z } from '@hono/zod-openapi';
import { requireWorkspace } from '../../http/auth.ts';
import type { ApiApp } from '../../http/context.ts';
import { idempotent } from '../../http/idempotency.ts';
import { pageRequest } from '../../http/pagination.ts';
import {
  AkuaContextHeader,
  errorResponses,
  IdempotencyKeyHeader,
  json,
  jsonBody,
  PageQuery,
  pathId,
} from '../../http/schemas.ts';
import { ApiTokenList, CreateApiTokenRequest, CreatedApiToken } from './schemas.ts';
import type { ApiTokenService } from './service.ts';

const tags = ['API Tokens'];
const security = [{ BearerAuth: [] }];

const create = createRoute({
  method: 'post',
  path: '/v1/api_tokens',
  operationId: 'apiTokens.create',
  tags,
  security,
  summary: 'Create an API token',
  description:
    'Creates a workspace API token. The full token is in the response and never shown again. With an idempotency-key, a retry by the same credential returns the same token.',
  middleware: [requireWorkspace] as const,
  request: {
    headers: z.object({
      'akua-context': AkuaContextHeader,
      'idempotency-key': IdempotencyKeyHeader.optional(),
    }),
    body: jsonBody(CreateApiTokenRequest),
  },
  responses: {
    201: json(CreatedApiToken, 'Token created. The `token` field is shown only once.'),
    ...errorResponses(400, 401, 403, 409, 422),
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/api_tokens',
  operationId: 'apiTokens.list',
  tags,
  security,
  summary: 'List API tokens',
  description: "Metadata of the workspace's live API tokens. Token values are never shown after creation.",
  middleware: [requireWorkspace] as const,
  request: { query: PageQuery, headers: z.object({ 'akua-context': AkuaContextHeader }) },
  responses: { 200: json(ApiTokenList, 'List of tokens'), ...errorResponses(400, 401, 403) },
});

const revoke = createRoute({
  method: 'delete',
  path: '/v1/api_tokens/{id}',
  operationId: 'apiTokens.revoke',
  tags,
  security,
  summary: 'Revoke an API token',
  description: 'Revokes a workspace API token. It stops authenticating immediately.',
  middleware: [requireWorkspace] as const,
  request: {
    params: z.object({ id: pathId(54, 'Token ID (tok_…)') }),
    headers: z.object({ 'akua-context': AkuaContextHeader }),
  },
  responses: { 204: { description: 'Token revoked' }, ...errorResponses(400, 401, 403, 404) },
});

export function registerApiTokenRoutes(app: ApiApp, service: ApiTokenService): void {
  app.openapi(
    create,
    idempotent({ operation: 'apiTokens.create', secret: true }, async (c) => {
      const token = await service.create(c.var.workspaceId, c.var.caller, c.req.valid('json'));
      c.header('cache-control', 'no-store');
      return c.json(token, 201);
    }),
  );

  app.openapi(list, async (c) =>
    c.json(await service.list(c.var.workspaceId, pageRequest(c.req.valid('query'))), 200),
  );

  app.openapi(revoke, async (c) => {
    await service.revoke(c.var.workspaceId, c.req.valid('param').id);
    return c.body(null, 204);
  });
}
