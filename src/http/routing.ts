/**
 * How documented OpenAPI paths become Hono routes, once for every route of the app:
 *
 * - **Percent-encoded custom methods.** Clients generated from the published OpenAPI encode the colon
 *   of an AIP custom method (`POST /v1/agent_turns/trn_…%3Aemit`, `/v1/snippets%3Aexecute`). `routedPath`
 *   decodes `%3A`/`%3a` in the path before routing, so both spellings reach the same route (and handlers,
 *   the input guard and turn-token checks all see the decoded path). `%253A` stays an encoded `%3A`.
 * - **Custom methods on a resource** (`/v1/snippets/{id}:execute`). Hono cannot match a parameter followed
 *   by `:verb` in one segment, so such a route is routed through a regex parameter, named like the
 *   documented one, that captures `<id>:verb`; its validator strips the suffix, so handlers see `{id}`.
 * - **Precedence.** Resource ids never contain a colon, so every path parameter matches `[^/:]+`: a
 *   `GET /v1/snippets/{id}` route never takes `snp_…:usage`, whichever route was registered first.
 *
 * Routes are documented under their published paths; only the Hono pattern differs.
 */
import { z, type RouteConfig } from '@hono/zod-openapi';
import { getPath } from 'hono/utils/url';
import type { ApiApp } from './context.ts';

const ENCODED_COLON = /%3a/gi;

/** The request path the router matches: Hono's decoded path with `%3A` decoded too. */
export function routedPath(request: Request): string {
  const path = getPath(request);
  return path.includes('%') ? path.replace(ENCODED_COLON, ':') : path;
}

const CUSTOM_METHOD = /^(.*)\/\{(\w+)\}:(\w+)$/;
const PARAM = /\/\{(\w+)\}/g;

/** The Hono pattern of a documented path: every `{name}` a colon-free parameter. */
const honoPattern = (path: string): string => path.replace(PARAM, '/:$1{[^/:]+}');

/** Makes every route registered through `app.openapi` from now on routed as described above. */
export function routeDocumentedPaths(app: ApiApp): void {
  const register = app.openapi;
  app.openapi = ((route: RouteConfig, handler: never, hook?: never) => {
    if (!route.path.includes('{')) return register(route, handler, hook);
    if (!route.hide) {
      const { middleware: _middleware, hide: _hide, ...documented } = route;
      app.openAPIRegistry.registerPath(documented);
    }
    const custom = CUSTOM_METHOD.exec(route.path);
    if (!custom) return register({ ...route, path: honoPattern(route.path), hide: true }, handler, hook);
    const [, prefix, param, verb] = custom as unknown as [string, string, string, string];
    const params = route.request?.params;
    if (!(params instanceof z.ZodObject)) throw new Error(`${route.path} needs a params schema`);
    const suffix = `:${verb}`;
    // The other parameters of the path (`/v1/dashboards/{id}/revisions/{revision_id}:restore`) pass as they are.
    const routedParams = z
      .looseObject({ [param]: z.string() })
      .transform((value) => ({ ...value, [param]: (value[param] as string).slice(0, -suffix.length) }))
      .pipe(params as z.ZodType<unknown, Record<string, string>>);
    return register(
      {
        ...route,
        path: `${honoPattern(prefix)}/:${param}{[^/:]+${suffix}}`,
        hide: true,
        request: { ...route.request, params: routedParams },
      } as RouteConfig,
      handler,
      hook,
    );
  }) as typeof app.openapi;
}
