/**
 * HTTP routes of agent service instances: create, list, get, stop, restart, logs (JSON and SSE), and
 * the authenticated proxy to the service's port (any method, not in the OpenAPI document).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { requireWorkspace } from '../../http/auth.ts';
import type { ApiApp } from '../../http/context.ts';
import { invalid } from '../../http/errors.ts';
import { idempotent } from '../../http/idempotency.ts';
import { inputGuard } from '../../http/input-guard.ts';
import { json, jsonBody } from '../../http/schemas.ts';
import { validationError } from '../../http/validation.ts';
import { serveLogs, type LogReader } from '../logs/service.ts';
import { pageRequest } from '../page.ts';
import type { ResourceRef } from '../refs.ts';
import {
  AgentService,
  AgentServiceList,
  CreateHeaders,
  CreateServiceBody,
  LogPage,
  LogQuery,
  nullspaceErrors,
  ReadHeaders,
  RestartServiceBody,
  ServiceListQuery,
} from '../schemas.ts';
import { createServiceProxy } from './proxy.ts';
import type { ServiceRegistry } from './registry.ts';
import type { ServiceManager } from './service.ts';

const tags = ['Agent services'];
const security = [{ BearerAuth: [] }];
const DeploymentParams = z.object({ deployment_id: z.string().min(1).max(64) });
const ServiceParams = DeploymentParams.extend({ service_id: z.string().min(1).max(64) });
const SERVICES = '/v1/agent-deployments/{deployment_id}/services';
const RestartHeaders = ReadHeaders.extend({ 'idempotency-key': z.string().min(1).max(64).optional() });

/** The service instance a path names, in the caller's workspace. */
const serviceRef = (workspaceId: string, p: { deployment_id: string; service_id: string }): ResourceRef => ({
  workspaceId,
  deploymentId: p.deployment_id,
  id: p.service_id,
});

const create = createRoute({
  method: 'post',
  path: SERVICES,
  operationId: 'agentServices.create',
  tags,
  security,
  summary: 'Start an agent service instance',
  description:
    'Persists a starting instance of a service-mode deployment (default: its active version) and starts it asynchronously; it becomes ready once its readiness probe passes. envs are write-only. 429 capacity_exceeded, before anything is written, when every sandbox slot is taken.',
  middleware: [requireWorkspace] as const,
  request: { headers: CreateHeaders, params: DeploymentParams, body: jsonBody(CreateServiceBody) },
  responses: {
    201: json(AgentService, 'Service instance created'),
    ...nullspaceErrors(400, 401, 403, 404, 409, 422, 429),
  },
});

const list = createRoute({
  method: 'get',
  path: SERVICES,
  operationId: 'agentServices.list',
  tags,
  security,
  summary: 'List agent service instances',
  middleware: [requireWorkspace] as const,
  request: { headers: ReadHeaders, params: DeploymentParams, query: ServiceListQuery },
  responses: {
    200: json(AgentServiceList, 'Service instances, newest first'),
    ...nullspaceErrors(400, 401, 403, 404),
  },
});

const get = createRoute({
  method: 'get',
  path: `${SERVICES}/{service_id}`,
  operationId: 'agentServices.get',
  tags,
  security,
  summary: 'Get an agent service instance',
  middleware: [requireWorkspace] as const,
  request: { headers: ReadHeaders, params: ServiceParams },
  responses: { 200: json(AgentService, 'Service instance'), ...nullspaceErrors(400, 401, 403, 404) },
});

const stop = createRoute({
  method: 'post',
  path: `${SERVICES}/{service_id}/stop`,
  operationId: 'agentServices.stop',
  tags,
  security,
  summary: 'Stop an agent service instance',
  description:
    'stopping → stopped: the whole process tree is killed and the sandbox removed. Waits up to 5 s for the instance to stop; a stopped or failed instance comes back unchanged.',
  middleware: [requireWorkspace] as const,
  request: { headers: ReadHeaders, params: ServiceParams },
  responses: { 200: json(AgentService, 'Stop recorded'), ...nullspaceErrors(400, 401, 403, 404) },
});

const restart = createRoute({
  method: 'post',
  path: `${SERVICES}/{service_id}/restart`,
  operationId: 'agentServices.restart',
  tags,
  security,
  summary: 'Restart an agent service instance',
  description:
    'Replaces the process with a new one in a new sandbox, on the deployment’s active version (or version_id) with the new envs; the instance goes back to starting, its generation goes up by one and its log continues. An optional Idempotency-Key makes retries safe.',
  middleware: [requireWorkspace] as const,
  request: {
    headers: RestartHeaders,
    params: ServiceParams,
    body: { content: { 'application/json': { schema: RestartServiceBody } }, required: false },
  },
  responses: {
    200: json(AgentService, 'Restart recorded'),
    ...nullspaceErrors(400, 401, 403, 404, 409, 422, 429),
  },
});

const logs = createRoute({
  method: 'get',
  path: `${SERVICES}/{service_id}/logs`,
  operationId: 'agentServices.logs',
  tags,
  security,
  summary: 'Get agent service logs',
  description:
    'stdout, stderr and platform lines of every generation in order, as JSON pages after `cursor`, or as Server-Sent Events with Accept: text/event-stream (`follow=true` streams until the instance ends; resume with Last-Event-ID).',
  middleware: [requireWorkspace] as const,
  request: { headers: ReadHeaders, params: ServiceParams, query: LogQuery },
  responses: {
    200: {
      description: 'Log page or stream',
      content: { 'application/json': { schema: LogPage }, 'text/event-stream': { schema: z.string() } },
    },
    ...nullspaceErrors(400, 401, 403, 404),
  },
});

/** The optional restart body: empty, or JSON matching RestartServiceBody. */
function restartBody(text: string): z.infer<typeof RestartServiceBody> {
  let value: unknown = {};
  if (text.trim() !== '') {
    try {
      value = JSON.parse(text);
    } catch {
      throw invalid(['body'], 'the body must be JSON such as {"envs": {…}}, or empty');
    }
  }
  const parsed = RestartServiceBody.safeParse(value);
  if (!parsed.success) throw validationError('json', parsed.error);
  return parsed.data;
}

export function registerServiceRoutes(
  app: ApiApp,
  services: ServiceManager,
  reader: LogReader,
  options: { fingerprintKey: Buffer; registry: ServiceRegistry },
): void {
  app.openapi(
    create,
    idempotent(
      { operation: 'agentServices.create', required: true, fingerprintKey: options.fingerprintKey },
      async (c) => {
        const { deployment_id } = c.req.valid('param');
        const service = await services.create(c.var.workspaceId, deployment_id, c.req.valid('json'), {
          idempotencyKey: c.req.valid('header')['idempotency-key'],
        });
        c.header('location', `/v1/agent-deployments/${deployment_id}/services/${service.id}`);
        return c.json(service, 201);
      },
    ),
  );
  app.openapi(list, async (c) => {
    const query = c.req.valid('query');
    return c.json(
      await services.list(c.var.workspaceId, c.req.valid('param').deployment_id, query, pageRequest(query)),
      200,
    );
  });
  app.openapi(get, async (c) => {
    const ref = serviceRef(c.var.workspaceId, c.req.valid('param'));
    return c.json(await services.get(ref), 200);
  });
  app.openapi(stop, async (c) => {
    const ref = serviceRef(c.var.workspaceId, c.req.valid('param'));
    return c.json(await services.stop(ref), 200);
  });
  app.openapi(
    restart,
    idempotent({ operation: 'agentServices.restart', fingerprintKey: options.fingerprintKey }, async (c) => {
      const ref = serviceRef(c.var.workspaceId, c.req.valid('param'));
      const body = restartBody(await c.req.text());
      return c.json(await services.restart(ref, body), 200);
    }),
  );
  app.openapi(logs, async (c) => {
    const ref = serviceRef(c.var.workspaceId, c.req.valid('param'));
    const owner = await services.logOwner(ref);
    return serveLogs(c, reader, owner, c.req.valid('query')) as never;
  });

  const proxy = createServiceProxy({ registry: options.registry, load: services.load });
  const PROXY = '/v1/agent-deployments/:deployment_id/services/:service_id/proxy';
  // Only the ids are checked: the proxied path, query and body belong to the service.
  const guard = inputGuard(PROXY, { body: false, query: false });
  app.all(PROXY, requireWorkspace, guard, proxy);
  app.all(`${PROXY}/*`, requireWorkspace, guard, proxy);
}
