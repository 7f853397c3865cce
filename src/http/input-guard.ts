/**
 * The one check every request's text gets before any validator or handler sees it: path parameters
 * and query strings must percent-decode to well-formed UTF-8 without U+0000, and a JSON body must
 * pass src/http/json-guard.ts (no U+0000, no lone surrogate, nesting at most MAX_JSON_DEPTH). Postgres
 * text and jsonb cannot hold U+0000 or lone surrogates, and zod overflows the stack on hostile depth, so
 * such input is refused here, naming where it is: 400 ["path", name] / ["query", name], 422
 * ["body", …field] (the family's envelope, like every validation error).
 *
 * `guardRoutes` installs the guard on every OpenAPI route of the app, after the route's own middleware
 * (authentication first, as for validation) and before its validators. The body is parsed here once and
 * handed to the route's JSON validator, so it is not parsed twice. Routes outside OpenAPI add
 * `inputGuard(path, …)` themselves. Header values cannot carry U+0000 or lone surrogates at all: Node's
 * HTTP parser and the Headers class refuse NUL, and header values are Latin-1.
 */
import type { MiddlewareHandler } from 'hono';
import type { RouteConfig } from '@hono/zod-openapi';
import type { ApiApp, AppEnv } from './context.ts';
import { ApiError, type ErrorDetail } from './errors.ts';
import { formatPath, jsonProblems, shownKey, textProblem, type JsonProblem } from './json-guard.ts';

/** Hono's own test for a JSON media type (hono/validator), so both agree on which bodies are JSON. */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

export type InputGuardOptions = {
  /** Check a JSON body (for routes that declare one; others never read it). */
  body: boolean;
  /** Check the query string (not for proxies, whose query belongs to the service behind them). */
  query: boolean;
};

type ParamAt = { index: number; name: string };

/**
 * The path parameters of a route path and their segment positions. Takes OpenAPI (`/a/{id}`) and Hono
 * (`/a/:id`, `/a/:id{regex}`) syntax; braces may hold slashes, so segments are split outside them.
 */
export function pathParams(path: string): ParamAt[] {
  const segments: string[] = [];
  let current = '';
  let braces = 0;
  for (const ch of path) {
    if (ch === '{') braces++;
    else if (ch === '}') braces--;
    if (ch === '/' && braces === 0) {
      segments.push(current);
      current = '';
    } else current += ch;
  }
  segments.push(current);
  const params: ParamAt[] = [];
  segments.forEach((segment, index) => {
    const match = /^(?::(\w+)|\{(\w+)\})/.exec(segment);
    if (match) params.push({ index, name: (match[1] ?? match[2])! });
  });
  return params;
}

/** A percent-encoded URL part decoded strictly (invalid UTF-8 and stray `%` fail), or undefined. */
function decodeStrict(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** Why a raw URL part is refused, or undefined when it decodes to storable text. */
function urlPartProblem(raw: string): string | undefined {
  const decoded = decodeStrict(raw);
  if (decoded === undefined) {
    return 'is not valid percent-encoded UTF-8 (a stray %, a byte such as %ff, or an encoded surrogate such as %ed%a0%80)';
  }
  if (textProblem(decoded) === 'nul') return 'contains the character U+0000 (%00), which cannot be stored';
  return undefined;
}

/** The raw (still percent-encoded) pathname and query string of a request URL. */
function splitUrl(url: string): { pathname: string; search: string } {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  const hash = url.indexOf('#', start);
  const end = hash === -1 ? url.length : hash;
  const question = url.indexOf('?', start);
  if (question === -1 || question > end) return { pathname: url.slice(start, end), search: '' };
  return { pathname: url.slice(start, question), search: url.slice(question + 1, end) };
}

function urlProblems(url: string, params: ParamAt[], checkQuery: boolean): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const { pathname, search } = splitUrl(url);
  if (params.length > 0) {
    const segments = pathname.split('/');
    for (const { index, name } of params) {
      const raw = segments[index];
      const problem = raw === undefined ? undefined : urlPartProblem(raw);
      if (problem) details.push({ message: `path parameter ${name} ${problem}`, path: ['path', name] });
    }
  }
  if (checkQuery && search !== '') {
    for (const pair of search.split('&')) {
      const eq = pair.indexOf('=');
      const rawName = (eq === -1 ? pair : pair.slice(0, eq)).replace(/\+/g, ' ');
      const rawValue = eq === -1 ? '' : pair.slice(eq + 1).replace(/\+/g, ' ');
      const nameProblem = urlPartProblem(rawName);
      if (nameProblem) {
        // A name that does not decode is named as sent, still percent-encoded.
        const name = shownKey(rawName);
        details.push({
          message: `the name of query parameter ${name} ${nameProblem}`,
          path: ['query', name],
        });
        continue;
      }
      const name = decodeURIComponent(rawName);
      const problem = urlPartProblem(rawValue);
      if (problem) details.push({ message: `query parameter ${name} ${problem}`, path: ['query', name] });
    }
  }
  return details;
}

/** The 422 for a JSON body with problems, one entry per problem, each naming its field. */
export function bodyProblemError(problems: JsonProblem[]): ApiError {
  const details = problems.map((p): ErrorDetail => ({
    message: `${formatPath(p, 'body')}: ${p.message}`,
    path: ['body', ...p.path],
  }));
  return new ApiError('INVALID_ARGUMENT', details[0]!, { more: details.slice(1) });
}

/** The guard for one route path (with `{name}` or `:name` parameters). */
export function inputGuard(path: string, options: InputGuardOptions): MiddlewareHandler<AppEnv> {
  const params = pathParams(path);
  return async (c, next) => {
    const url = c.req.url;
    // Without a percent sign nothing in the URL is encoded, so there is nothing to refuse.
    if (url.includes('%')) {
      const details = urlProblems(url, params, options.query);
      if (details.length > 0) throw new ApiError('BAD_REQUEST', details[0]!, { more: details.slice(1) });
    }
    if (options.body) {
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
      if (JSON_MEDIA_TYPE.test(type)) {
        const text = await c.req.text();
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          throw new ApiError('BAD_REQUEST', {
            message: 'the request body is not valid JSON',
            path: ['body'],
          });
        }
        const problems = jsonProblems(value);
        if (problems.length > 0) throw bodyProblemError(problems);
        // The route's JSON validator calls c.req.json(), which would parse the text again: hand it this
        // value instead (it only reads it; zod builds its own output).
        c.req.json = <T>() => Promise.resolve(value as T);
      }
    }
    await next();
  };
}

const declaresJson = (route: RouteConfig): boolean =>
  Object.keys(route.request?.body?.content ?? {}).some((type) => JSON_MEDIA_TYPE.test(type));

/**
 * Installs the guard on every route registered through `app.openapi` from now on (so also on AIP
 * custom methods, src/http/routing.ts), as the last of the route's own middleware.
 */
export function guardRoutes(app: ApiApp): void {
  const register = app.openapi;
  app.openapi = ((route: RouteConfig, handler: never, hook?: never) => {
    const own = route.middleware === undefined ? [] : [route.middleware].flat();
    const guard = inputGuard(route.path, { body: declaresJson(route), query: true });
    return register({ ...route, middleware: [...own, guard] } as never, handler, hook);
  }) as typeof app.openapi;
}
