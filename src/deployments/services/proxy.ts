/**
 * The authenticated proxy to a service's port: `/v1/agent-deployments/{d}/services/{s}/proxy/*`, any
 * method, with the API's own bearer token. The request (method, path after /proxy, query, headers
 * without credentials and hop-by-hop ones, streamed body) goes to the service over `Sandbox.connect`,
 * and the response streams back unchanged. Only the worker process holding the sandbox can reach it
 * (registry.ts); anywhere else, and while the instance is not ready, the answer is 503.
 */
import http from 'node:http';
import { Readable } from 'node:stream';
import type { Context } from 'hono';
import type { AppEnv } from '../../http/context.ts';
import { ApiError } from '../../http/errors.ts';
import type { LocalService, ServiceRegistry } from './registry.ts';
import { proxyPath, type ServiceRow } from './resources.ts';
import type { ResourceRef } from '../refs.ts';

/** Headers that describe one hop, never forwarded (RFC 9110 §7.6.1), plus the API's own credentials. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const NOT_FORWARDED = new Set([...HOP_BY_HOP, 'host', 'authorization', 'akua-context']);

/** The service accepts proxied requests in these states (an unhealthy one may still answer). */
const SERVING = new Set(['ready', 'unhealthy']);

function unavailable(message: string, hint?: string): ApiError {
  return new ApiError(
    'UNAVAILABLE',
    { message },
    { code: 'service_unavailable', retryable: true, ...(hint ? { hint } : {}) },
  );
}

/** Header names the `connection` header lists are hop-by-hop too. */
function listedInConnection(value: string | null | undefined): Set<string> {
  return new Set(
    (value ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
}

export type ServiceProxyDeps = {
  registry: ServiceRegistry;
  load(ref: ResourceRef): Promise<ServiceRow>;
};

export function createServiceProxy(deps: ServiceProxyDeps) {
  return async (c: Context<AppEnv>): Promise<Response> => {
    const deploymentId = c.req.param('deployment_id')!;
    const serviceId = c.req.param('service_id')!;
    const local = await servingHere(deps, { workspaceId: c.var.workspaceId, deploymentId, id: serviceId });
    const url = new URL(c.req.url);
    const prefix = proxyPath(deploymentId, serviceId);
    const rest = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : '/';
    const path = `${rest.startsWith('/') ? rest : `/${rest}`}${url.search}`;
    const headers = forwardedHeaders(c.req.raw.headers, url, prefix, local.port);
    const upstream = await relay(c, serviceId, local, path, headers);
    return toResponse(c.req.method, upstream);
  };
}

/** The instance's sandbox on this host, or 503 when it is not ready or runs on another worker host. */
async function servingHere(deps: ServiceProxyDeps, ref: ResourceRef): Promise<LocalService> {
  const serviceId = ref.id;
  const service = await deps.load(ref);
  if (!SERVING.has(service.status))
    throw unavailable(
      `service instance ${serviceId} is ${service.status}, not ready`,
      service.status === 'starting' ? 'retry once its status is ready' : undefined,
    );
  const local = deps.registry.get(serviceId);
  if (!local || local.generation !== service.generation)
    throw unavailable(
      `service instance ${serviceId} runs on another worker host; its proxy is served only there`,
      'send proxy requests to the server process that runs the instance (role all, or its worker host)',
    );
  return local;
}

/** The request's end-to-end headers, plus the forwarding headers the service sees. */
function forwardedHeaders(
  incoming: Headers,
  url: URL,
  prefix: string,
  port: number,
): Record<string, string | string[]> {
  const skip = listedInConnection(incoming.get('connection'));
  const headers: Record<string, string | string[]> = {};
  incoming.forEach((value, name) => {
    if (NOT_FORWARDED.has(name) || skip.has(name)) return;
    headers[name] = value;
  });
  headers.host = `localhost:${port}`;
  headers['x-forwarded-host'] = url.host;
  headers['x-forwarded-proto'] = url.protocol.replace(/:$/, '');
  headers['x-forwarded-prefix'] = prefix;
  headers.connection = 'close';
  return headers;
}

/** Sends the request to the service's port over one connection into its sandbox; 503 when that fails. */
async function relay(
  c: Context<AppEnv>,
  serviceId: string,
  local: LocalService,
  path: string,
  headers: Record<string, string | string[]>,
): Promise<http.IncomingMessage> {
  let socket;
  try {
    socket = await local.sandbox.connect(local.port);
  } catch (error) {
    throw unavailable(
      `service instance ${serviceId} is not accepting connections on port ${local.port}: ${(error as Error).message}`,
    );
  }
  const signal = c.req.raw.signal;
  const upstream = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.request({
      method: c.req.method,
      path,
      headers,
      createConnection: () => socket as never,
      signal,
    });
    // The connection may come paused (so nothing is lost before a reader attaches): read it now.
    req.once('socket', () => socket.resume());
    req.once('response', resolve);
    req.once('error', reject);
    const body = c.req.raw.body;
    if (body === null) req.end();
    else
      Readable.fromWeb(body as never)
        .on('error', (e) => req.destroy(e))
        .pipe(req);
  }).catch((error: Error) => {
    socket.destroy();
    throw unavailable(`the request to service instance ${serviceId} failed: ${error.message}`);
  });
  // One connection per request: release the relay as soon as the answer is over.
  upstream.once('close', () => socket.destroy());
  return upstream;
}

/** The service's answer without its hop-by-hop headers (and without a body where HTTP has none). */
function toResponse(method: string, upstream: http.IncomingMessage): Response {
  const responseHeaders = new Headers();
  const hop = listedInConnection(upstream.headers.connection);
  for (const [name, value] of Object.entries(upstream.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || hop.has(name)) continue;
    for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v);
  }
  const status = upstream.statusCode ?? 502;
  const empty = method === 'HEAD' || status === 204 || status === 304;
  if (empty) upstream.resume();
  return new Response(empty ? null : (Readable.toWeb(upstream) as ReadableStream), {
    status,
    headers: responseHeaders,
  });
}
