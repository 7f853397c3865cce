/**
 * First middleware of every request: assigns the request id (a sane incoming x-request-id is kept),
 * a child logger carrying it, the shared ports (authenticator, idempotency store), and logs one line when
 * the response is done. Credentials are never logged: only method, path, status and duration.
 */
import { createMiddleware } from 'hono/factory';
import type { Logger } from 'pino';
import { newId } from '../db/ids.ts';
import type { AppEnv, Authenticator } from './context.ts';
import type { IdempotencyStore } from './idempotency-store.ts';

const INCOMING_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export type RequestContextDeps = { log: Logger; authenticator: Authenticator; idempotency: IdempotencyStore };

export function requestContext(deps: RequestContextDeps) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && INCOMING_ID.test(incoming) ? incoming : newId('req');
    const log = deps.log.child({ req_id: requestId });
    c.set('requestId', requestId);
    c.set('log', log);
    c.set('authenticator', deps.authenticator);
    c.set('idempotency', deps.idempotency);
    await next();
    c.header('x-request-id', requestId);
    log.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 100) / 100,
      },
      'request',
    );
  });
}
