/**
 * Error statuses fitted to the operation. Each route declares the statuses it answers in its OpenAPI
 * `responses` (`errorResponses(…)`, what /v1/openapi.json lists). The published Akua document lists 400
 * for some operations and 422 for others, rarely both, and its clients expect the one listed. So a
 * refusal of a malformed request is fitted to the route's declaration once, here, whatever raised it
 * (the input guard, a validator, authentication, a service):
 *
 * - a malformed path parameter (a 400 at ["path", …]) is a 404 when the route declares 404: an id that
 *   cannot exist names no resource, as an id that does not exist;
 * - otherwise a 400 (bad URL, header or JSON syntax) or 422 (a body field breaks a rule) stays as it is
 *   when the route declares it, and becomes the other one when the route declares only that one.
 *
 * Routes choose their declaration (docs/errors.md "Which status a refusal gets"); nothing here reads the
 * published document, which is for tests only. Agent-deployment routes keep their statuses as raised.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { RouteConfig } from '@hono/zod-openapi';
import type { ApiApp, AppEnv } from './context.ts';
import type { ApiError } from './errors.ts';
import { familyOf, renderError, type RenderedError } from './families.ts';

/** The error statuses a route declares in its `responses`. */
export function declaredStatuses(route: RouteConfig): ReadonlySet<number> {
  return new Set(
    Object.keys(route.responses ?? {})
      .map(Number)
      .filter((status) => status >= 400),
  );
}

/**
 * Records each route's declared statuses on its requests (`c.var.routeStatuses`), as the first of the
 * route's middleware, for every route registered through `app.openapi` from now on.
 */
export function declareRouteStatuses(app: ApiApp): void {
  const register = app.openapi;
  app.openapi = ((route: RouteConfig, handler: never, hook?: never) => {
    const statuses = declaredStatuses(route);
    const record: MiddlewareHandler<AppEnv> = async (c, next) => {
      c.set('routeStatuses', statuses);
      await next();
    };
    const own = route.middleware === undefined ? [] : [route.middleware].flat();
    return register({ ...route, middleware: [record, ...own] } as never, handler, hook);
  }) as typeof app.openapi;
}

/** The error with the status its route declares for it (see the module comment); others unchanged. */
export function fitToRoute(error: ApiError, statuses: ReadonlySet<number> | undefined): ApiError {
  if (!statuses || (error.status !== 'BAD_REQUEST' && error.status !== 'INVALID_ARGUMENT')) return error;
  // A malformed path parameter (the input guard's or the validator's 400), not a service's refusal of
  // what the id names (a 422 "already done" that points at the id stays a 422).
  const malformedPath = error.status === 'BAD_REQUEST' && error.details[0]?.path?.[0] === 'path';
  if (malformedPath && statuses.has(404)) return error.withStatus('NOT_FOUND');
  if (statuses.has(error.httpStatus)) return error;
  if (error.status === 'BAD_REQUEST' && statuses.has(422)) return error.withStatus('INVALID_ARGUMENT');
  if (error.status === 'INVALID_ARGUMENT' && statuses.has(400)) return error.withStatus('BAD_REQUEST');
  return error;
}

/** The response for an error of this request: its family's envelope, its status fitted to the route. */
export function renderForRequest(c: Context<AppEnv>, error: ApiError): RenderedError {
  const family = familyOf(c.req.path);
  const fitted = family === 'akua' ? fitToRoute(error, c.var.routeStatuses) : error;
  return renderError(family, fitted, c.var.requestId ?? 'unknown');
}
