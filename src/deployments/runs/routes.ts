/** HTTP routes of agent runs: create (seed 004), list, get, cancel, outputs, output download, logs (JSON and SSE). */
import { createRoute, z } from '@hono/zod-openapi';
import { requireWorkspace } from '../../http/auth.ts';
import type { ApiApp } from '../../http/context.ts';
import { invalid } from '../../http/errors.ts';
import { idempotent } from '../../http/idempotency.ts';
import { validationError } from '../../http/validation.ts';
import { json, jsonBody } from '../../http/schemas.ts';
import { serveLogs, type LogReader } from '../logs/service.ts';
import { pageRequest } from '../page.ts';
import type { ResourceRef } from '../refs.ts';
import {
  AgentRun,
  AgentRunList,
  CancelRunBody,
  CreateHeaders,
  CreateRunBody,
  LogPage,
  LogQuery,
  nullspaceErrors,
  ReadHeaders,
  RunListQuery,
  RunOutputs,
} from '../schemas.ts';
import type { RunService } from './service.ts';

const tags = ['Agent runs'];
const security = [{ BearerAuth: [] }];
const DeploymentParams = z.object({ deployment_id: z.string().min(1).max(64) });
const RunParams = DeploymentParams.extend({ run_id: z.string().min(1).max(64) });
const RUNS = '/v1/agent-deployments/{deployment_id}/runs';

/** The run a path names, in the caller's workspace. */
const runRef = (workspaceId: string, p: { deployment_id: string; run_id: string }): ResourceRef => ({
  workspaceId,
  deploymentId: p.deployment_id,
  id: p.run_id,
});

const create = createRoute({
  method: 'post',
  path: RUNS,
  operationId: 'agentRuns.create',
  tags,
  security,
  summary: 'Create an agent run',
  description:
    'Queues a job run of the version (default: the active one). envs are write-only: they reach the process and are never stored or returned. 429 capacity_exceeded, before anything is written, when every sandbox slot is taken.',
  middleware: [requireWorkspace] as const,
  request: { headers: CreateHeaders, params: DeploymentParams, body: jsonBody(CreateRunBody) },
  responses: {
    201: json(AgentRun, 'Agent run created'),
    ...nullspaceErrors(400, 401, 403, 404, 409, 422, 429),
  },
});

const list = createRoute({
  method: 'get',
  path: RUNS,
  operationId: 'agentRuns.list',
  tags,
  security,
  summary: 'List agent runs',
  middleware: [requireWorkspace] as const,
  request: { headers: ReadHeaders, params: DeploymentParams, query: RunListQuery },
  responses: { 200: json(AgentRunList, 'Runs, newest first'), ...nullspaceErrors(400, 401, 403, 404) },
});

const get = createRoute({
  method: 'get',
  path: `${RUNS}/{run_id}`,
  operationId: 'agentRuns.get',
  tags,
  security,
  summary: 'Get an agent run',
  middleware: [requireWorkspace] as const,
  request: { headers: ReadHeaders, params: RunParams },
  responses: { 200: json(AgentRun, 'Agent run'), ...nullspaceErrors(400, 401, 403, 404) },
});

const cancel = createRoute({
  method: 'post',
  path: `${RUNS}/{run_id}/cancel`,
  operationId: 'agentRuns.cancel',
  tags,
  security,
  summary: 'Cancel an agent run',
  description:
    'From any non-terminal state: a queued run ends at once; a started one has its whole process tree killed. Waits up to 5 s for the run to end; a terminal run comes back unchanged.',
  middleware: [requireWorkspace] as const,
  request: {
    headers: ReadHeaders,
    params: RunParams,
    body: { content: { 'application/json': { schema: CancelRunBody } }, required: false },
  },
  responses: { 200: json(AgentRun, 'Cancellation recorded'), ...nullspaceErrors(400, 401, 403, 404) },
});

const outputs = createRoute({
  method: 'get',
  path: `${RUNS}/{run_id}/outputs`,
  operationId: 'agentRuns.outputs',
  tags,
  security,
  summary: 'Get agent run output metadata',
  middleware: [requireWorkspace] as const,
  request: { headers: ReadHeaders, params: RunParams },
  responses: { 200: json(RunOutputs, 'Output metadata'), ...nullspaceErrors(400, 401, 403, 404) },
});

const download = createRoute({
  method: 'get',
  path: `${RUNS}/{run_id}/outputs/download`,
  operationId: 'agentRuns.downloadOutput',
  tags,
  security,
  summary: 'Download one output file',
  middleware: [requireWorkspace] as const,
  request: {
    headers: ReadHeaders,
    params: RunParams,
    query: z.strictObject({ path: z.string().min(1).max(1024).openapi({ description: 'The output path' }) }),
  },
  responses: {
    200: { description: 'The file', content: { 'application/octet-stream': { schema: z.string() } } },
    ...nullspaceErrors(400, 401, 403, 404),
  },
});

const logs = createRoute({
  method: 'get',
  path: `${RUNS}/{run_id}/logs`,
  operationId: 'agentRuns.logs',
  tags,
  security,
  summary: 'Get agent run logs',
  description:
    'stdout, stderr and platform lines in order, as JSON pages after `cursor`, or as Server-Sent Events with Accept: text/event-stream (`follow=true` streams until the run ends; resume with Last-Event-ID).',
  middleware: [requireWorkspace] as const,
  request: { headers: ReadHeaders, params: RunParams, query: LogQuery },
  responses: {
    200: {
      description: 'Log page or stream',
      content: { 'application/json': { schema: LogPage }, 'text/event-stream': { schema: z.string() } },
    },
    ...nullspaceErrors(400, 401, 403, 404),
  },
});

/** The optional cancel body: empty, or JSON matching CancelRunBody. */
async function optionalJson(text: string): Promise<{ reason?: string | undefined }> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid(['body'], 'the body must be JSON such as {"reason": "…"}, or empty');
  }
  const parsed = CancelRunBody.safeParse(value);
  if (!parsed.success) throw validationError('json', parsed.error);
  return parsed.data;
}

export function registerRunRoutes(
  app: ApiApp,
  runs: RunService,
  reader: LogReader,
  options: { fingerprintKey: Buffer },
): void {
  app.openapi(
    create,
    idempotent(
      { operation: 'agentRuns.create', required: true, fingerprintKey: options.fingerprintKey },
      async (c) => {
        const { deployment_id } = c.req.valid('param');
        const run = await runs.create(c.var.workspaceId, deployment_id, c.req.valid('json'), {
          idempotencyKey: c.req.valid('header')['idempotency-key'],
        });
        c.header('location', `/v1/agent-deployments/${deployment_id}/runs/${run.id}`);
        return c.json(run, 201);
      },
    ),
  );
  app.openapi(list, async (c) => {
    const query = c.req.valid('query');
    return c.json(
      await runs.list(c.var.workspaceId, c.req.valid('param').deployment_id, query, pageRequest(query)),
      200,
    );
  });
  app.openapi(get, async (c) => {
    const ref = runRef(c.var.workspaceId, c.req.valid('param'));
    return c.json(await runs.get(ref), 200);
  });
  app.openapi(cancel, async (c) => {
    const ref = runRef(c.var.workspaceId, c.req.valid('param'));
    const body = await optionalJson(await c.req.text());
    return c.json(await runs.cancel(ref, body.reason), 200);
  });
  app.openapi(outputs, async (c) => {
    const ref = runRef(c.var.workspaceId, c.req.valid('param'));
    return c.json(await runs.outputs(ref), 200);
  });
  app.openapi(download, async (c) => {
    const ref = runRef(c.var.workspaceId, c.req.valid('param'));
    const file = await runs.download(ref, c.req.valid('query').path);
    const name = file.path
      .split('/')
      .pop()!
      .replace(/[^A-Za-z0-9._-]/g, '_');
    return new Response(Buffer.from(file.bytes), {
      headers: {
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename="${name}"`,
        digest: `sha-256=${Buffer.from(file.digest.slice(7), 'hex').toString('base64')}`,
        etag: `"${file.digest}"`,
      },
    }) as never;
  });
  app.openapi(logs, async (c) => {
    const ref = runRef(c.var.workspaceId, c.req.valid('param'));
    const owner = await runs.logOwner(ref);
    return serveLogs(c, reader, owner, c.req.valid('query')) as never;
  });
}
