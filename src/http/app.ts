/**
 * The Hono application: routing of documented paths (src/http/routing.ts), shared middleware (request
 * context, body limits), the input guard on every route (src/http/input-guard.ts), validation and error
 * handling (refusals fitted to the statuses each route declares, src/http/route-statuses.ts), health,
 * OpenAPI, every domain's routes (each domain registers itself) and, last, the web console.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { jsonBodyLimit } from './body-limit.ts';
import type { ApiApp, AppEnv, Authenticator } from './context.ts';
import { errorHandler, notFoundHandler } from './error-handler.ts';
import { registerHealth } from './health.ts';
import type { IdempotencyStore } from './idempotency-store.ts';
import { guardRoutes } from './input-guard.ts';
import { registerOpenApi } from './openapi.ts';
import { requestContext } from './request-context.ts';
import { declareRouteStatuses } from './route-statuses.ts';
import { routeDocumentedPaths, routedPath } from './routing.ts';
import { validationHook } from './validation.ts';

export type AppDeps = {
  database: Database;
  log: Logger;
  authenticator: Authenticator;
  idempotency: IdempotencyStore;
  maxBodyBytes: number;
  publicUrl: string;
  version: string;
  /** Aborted when the server starts shutting down (readiness answers 503 from then on). */
  stopping?: AbortSignal;
  /** Each domain's route registration, in order. */
  domains: Array<{ register(app: ApiApp): void }>;
  /** The web console: registered last, it answers browser GETs no route above took (src/console/site.ts). */
  site?: { register(app: ApiApp): void };
};

export function createApp(deps: AppDeps): ApiApp {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook, getPath: routedPath });
  routeDocumentedPaths(app);
  app.use('*', requestContext(deps));
  app.use('/v1/*', jsonBodyLimit(deps.maxBodyBytes));
  declareRouteStatuses(app); // wrapped first, so its middleware runs before the route's own and the guard
  guardRoutes(app);
  registerHealth(app, deps.database, deps.stopping);
  for (const domain of deps.domains) domain.register(app);
  registerOpenApi(app, { version: deps.version, publicUrl: deps.publicUrl });
  deps.site?.register(app);
  app.onError(errorHandler(deps.maxBodyBytes));
  app.notFound(notFoundHandler);
  return app;
}
