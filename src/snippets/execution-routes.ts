/**
 * HTTP routes that execute snippets: POST /v1/snippets/{id}/runs (persisted, 201 + Location),
 * POST /v1/snippets/{id}:execute and POST /v1/snippets:execute (not persisted).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { requireWorkspace } from '../http/auth.ts';
import type { ApiApp, AppEnv } from '../http/context.ts';
import { idempotent } from '../http/idempotency.ts';
import {
  AkuaContextHeader,
  errorResponses,
  IdempotencyKeyHeader,
  json,
  jsonBody,
  pathId,
} from '../http/schemas.ts';
import type { ExecutionService, RunContext } from './execution.ts';
import {
  CreateSnippetRunBody,
  ExecuteSnippetBody,
  ExecuteSnippetResponse,
  ExecuteStoredSnippetBody,
  SnippetRun,
} from './run-schemas.ts';

const security = [{ BearerAuth: [] }];
const IdParam = z.object({ id: pathId(54, 'Snippet ID') });

const createRun = createRoute({
  method: 'post',
  path: '/v1/snippets/{id}/runs',
  operationId: 'snippets.createRun',
  tags: ['Snippet Runs'],
  security,
  summary: 'Create snippet run',
  description:
    'Validates the inputs against the snippet, executes it in a fresh V8 isolate and records the run. The run is terminal when this returns: succeeded, failed or timed_out, with output or error.',
  middleware: [requireWorkspace] as const,
  request: {
    params: IdParam,
    headers: z.object({
      'akua-context': AkuaContextHeader,
      'idempotency-key': IdempotencyKeyHeader.optional(),
    }),
    body: { content: { 'application/json': { schema: CreateSnippetRunBody } } },
  },
  responses: {
    201: json(SnippetRun, 'Snippet run created'),
    ...errorResponses(401, 403, 404, 409, 422),
  },
});

const executeStored = createRoute({
  method: 'post',
  path: '/v1/snippets/{id}:execute',
  operationId: 'snippets.executeStored',
  tags: ['Snippets'],
  security,
  summary: 'Execute snippet',
  description: 'Executes a stored snippet with the given inputs and returns its result; nothing is recorded.',
  middleware: [requireWorkspace] as const,
  request: {
    params: IdParam,
    headers: z.object({ 'akua-context': AkuaContextHeader }),
    body: { content: { 'application/json': { schema: ExecuteStoredSnippetBody } } },
  },
  responses: {
    200: json(ExecuteSnippetResponse, 'Execution result'),
    ...errorResponses(401, 404, 409, 422),
  },
});

const executeCode = createRoute({
  method: 'post',
  path: '/v1/snippets:execute',
  operationId: 'snippets.execute',
  tags: ['Snippets'],
  security,
  summary: 'Execute code',
  description:
    'Executes ad-hoc snippet code (an async function, called with `inputs`) and returns its result; nothing is recorded.',
  middleware: [requireWorkspace] as const,
  request: { headers: z.object({ 'akua-context': AkuaContextHeader }), body: jsonBody(ExecuteSnippetBody) },
  responses: {
    200: json(ExecuteSnippetResponse, 'Execution result'),
    ...errorResponses(401, 403, 409, 422),
  },
});

/** Who runs, and, for a request a running snippet made, where it sits among nested executions. */
function runContext(c: Context<AppEnv>): RunContext {
  const lineage = c.env?.atollLineage;
  return { caller: c.var.caller, workspaceId: c.var.workspaceId, ...(lineage ? { lineage } : {}) };
}

export function registerExecutionRoutes(app: ApiApp, execution: ExecutionService): void {
  app.openapi(
    createRun,
    idempotent({ operation: 'snippets.createRun' }, async (c) => {
      const { id } = c.req.valid('param');
      const run = await execution.run(runContext(c), id, c.req.valid('json'));
      c.header('location', `/v1/snippets/${id}/runs/${run.id}`);
      return c.json(run, 201);
    }),
  );

  app.openapi(executeStored, async (c) => {
    const result = await execution.executeStored(
      runContext(c),
      c.req.valid('param').id,
      c.req.valid('json').inputs,
    );
    return c.json(result, 200);
  });

  app.openapi(executeCode, async (c) => {
    const body = c.req.valid('json');
    return c.json(await execution.executeCode(runContext(c), body.code, body.inputs), 200);
  });
}
