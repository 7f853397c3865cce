/** HTTP routes of /v1/snippets (create, list, get, update, archive): schema, auth and one service call each. */
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
import { CreateSnippetBody, Snippet, SnippetIdResponse, SnippetList, UpdateSnippetBody } from './schemas.ts';
import type { SnippetService } from './service.ts';

const tags = ['Snippets'];
const security = [{ BearerAuth: [] }];
const IdParam = z.object({ id: pathId(54, 'Snippet ID') });
const WriteHeaders = WorkspaceHeaders.extend({ 'if-match': IfMatchHeader });
const ListSnippetsQuery = PageQuery.extend({
  archived: z.enum(['true', 'false'], { error: 'archived must be "true" or "false"' }).optional().openapi({
    description:
      'Atoll extension: `true` lists the archived snippets (newest first) instead of the active ones.',
  }),
});

const create = createRoute({
  method: 'post',
  path: '/v1/snippets',
  operationId: 'snippets.create',
  tags,
  security,
  summary: 'Create snippet',
  description:
    'Creates a reusable code snippet in the workspace: an async JavaScript function body run in a sandboxed V8 isolate with platform.request() for API calls. Returns its id; the etag is in the ETag header.',
  middleware: [requireWorkspace] as const,
  request: {
    headers: WorkspaceHeaders.extend({ 'idempotency-key': IdempotencyKeyHeader.optional() }),
    body: jsonBody(CreateSnippetBody),
  },
  responses: { 201: json(SnippetIdResponse, 'Snippet created'), ...errorResponses(401, 403, 409, 422) },
});

const list = createRoute({
  method: 'get',
  path: '/v1/snippets',
  operationId: 'snippets.list',
  tags,
  security,
  summary: 'List snippets in workspace',
  description:
    "The workspace's active snippets, newest first. Archived snippets are not listed; they can still be read by id. Atoll: `archived=true` lists the archived ones instead.",
  middleware: [requireWorkspace] as const,
  request: { query: ListSnippetsQuery, headers: WorkspaceHeaders },
  responses: { 200: json(SnippetList, 'List of snippets'), ...errorResponses(400, 401, 403) },
});

const get = createRoute({
  method: 'get',
  path: '/v1/snippets/{id}',
  operationId: 'snippets.get',
  tags,
  security,
  summary: 'Get snippet details',
  description: 'Returns a snippet including its code and display type; an archived one has archived_at set.',
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, headers: WorkspaceHeaders },
  responses: { 200: json(Snippet, 'Snippet details'), ...errorResponses(400, 401, 403, 404) },
});

const update = createRoute({
  method: 'patch',
  path: '/v1/snippets/{id}',
  operationId: 'snippets.update',
  tags,
  security,
  summary: 'Update snippet',
  description:
    'Updates snippet properties; only provided fields change. Dashboards using this snippet pick up code changes on their next run. An archived snippet cannot be changed (409).',
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, headers: WriteHeaders, body: jsonBody(UpdateSnippetBody) },
  responses: {
    200: json(SnippetIdResponse, 'Snippet updated'),
    ...errorResponses(400, 401, 403, 404, 409, 422, 428),
  },
});

const archive = createRoute({
  method: 'delete',
  path: '/v1/snippets/{id}',
  operationId: 'snippets.delete',
  tags,
  security,
  summary: 'Archive snippet',
  description:
    'Archives a snippet while preserving its runs. Archiving an archived snippet succeeds again (204).',
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, headers: WriteHeaders },
  responses: {
    204: { description: 'Snippet archived, or already archived' },
    ...errorResponses(400, 401, 403, 404, 409, 428),
  },
});

export function registerSnippetRoutes(app: ApiApp, service: SnippetService): void {
  app.openapi(
    create,
    idempotent({ operation: 'snippets.create' }, async (c) => {
      const snippet = await service.create(c.var.workspaceId, c.var.caller, c.req.valid('json'));
      setEtagHeader(c, snippet.etag);
      c.header('location', `/v1/snippets/${snippet.id}`);
      return c.json({ snippet_id: snippet.id }, 201);
    }),
  );

  app.openapi(list, async (c) => {
    const query = c.req.valid('query');
    return c.json(await service.list(c.var.workspaceId, pageRequest(query), query.archived === 'true'), 200);
  });

  app.openapi(get, async (c) => {
    const snippet = await service.get(c.var.workspaceId, c.req.valid('param').id);
    setEtagHeader(c, snippet.etag);
    return c.json(snippet, 200);
  });

  app.openapi(update, async (c) => {
    const snippet = await service.update(
      c.var.workspaceId,
      c.req.valid('param').id,
      c.req.valid('header')['if-match'],
      c.req.valid('json'),
    );
    setEtagHeader(c, snippet.etag);
    return c.json({ snippet_id: snippet.id }, 200);
  });

  app.openapi(archive, async (c) => {
    await service.archive(c.var.workspaceId, c.req.valid('param').id, c.req.valid('header')['if-match']);
    return c.body(null, 204);
  });
}
