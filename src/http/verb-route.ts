/**
 * AIP custom methods on a resource (`POST /v1/snippets/{id}:execute`, `/v1/agent_turns/{id}:emit`).
 * Hono's router cannot match a parameter followed by `:verb` in one path segment, so such a route is
 * documented under its real path and routed through a regex parameter, named like the documented one,
 * that captures `<id>:verb`; the validator strips the suffix, so handlers see `{id}` as for any other
 * route (and the shared input guard names the parameter as documented).
 */
import { z, type RouteConfig, type RouteHandler } from '@hono/zod-openapi';
import type { ApiApp, AppEnv } from './context.ts';

export function openapiVerb<R extends RouteConfig>(
  app: ApiApp,
  route: R,
  handler: RouteHandler<R, AppEnv>,
): void {
  const match = /^(.*)\/\{(\w+)\}:(\w+)$/.exec(route.path);
  if (!match) throw new Error(`${route.path} is not a /{param}:verb path`);
  const [, prefix, param, verb] = match as unknown as [string, string, string, string];
  const params = route.request?.params;
  if (!(params instanceof z.ZodObject)) throw new Error(`${route.path} needs a params schema`);
  app.openAPIRegistry.registerPath(route);
  const suffix = `:${verb}`;
  const routedParams = z
    .object({ [param]: z.string() })
    .transform((value) => ({ [param]: value[param]!.slice(0, -suffix.length) }))
    .pipe(params as z.ZodType<unknown, Record<string, string>>);
  app.openapi(
    {
      ...route,
      path: `${prefix}/:${param}{[^/:]+${suffix}}`,
      hide: true,
      request: { ...route.request, params: routedParams },
    } as unknown as R,
    handler as never,
  );
}
