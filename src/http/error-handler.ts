/**
 * The one place errors become responses: ApiErrors, Hono's own HTTPExceptions (malformed JSON, wrong
 * content type, oversized body) and anything unexpected (500, logged once at error level with the
 * request id; its message never reaches the client).
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './context.ts';
import { ApiError } from './errors.ts';
import { familyOf, renderError } from './families.ts';
import { renderForRequest } from './route-statuses.ts';
import { unservedArea, unservedError } from './unserved.ts';

export function toApiError(error: unknown, maxBodyBytes: number): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    switch (error.status) {
      case 400:
        return new ApiError('BAD_REQUEST', {
          message: /json/i.test(error.message)
            ? 'the request body is not valid JSON'
            : error.message || 'malformed request',
          path: ['body'],
        });
      case 413:
        return payloadTooLarge(maxBodyBytes);
      case 415:
        return new ApiError('UNSUPPORTED_MEDIA_TYPE', {
          message: 'send the body as JSON with "Content-Type: application/json"',
          path: ['header', 'content-type'],
        });
      default:
        return new ApiError(error.status >= 500 ? 'INTERNAL' : 'BAD_REQUEST', { message: error.message });
    }
  }
  return undefined;
}

export function payloadTooLarge(maxBytes: number): ApiError {
  return new ApiError('PAYLOAD_TOO_LARGE', {
    message: `the request body is larger than the ${maxBytes} bytes this endpoint accepts`,
    path: ['body'],
    metadata: { max_bytes: String(maxBytes) },
  });
}

export function errorHandler(maxBodyBytes: number) {
  return (error: Error, c: Context<AppEnv>): Response => {
    const requestId = c.var.requestId ?? 'unknown';
    let apiError = toApiError(error, maxBodyBytes);
    if (apiError) {
      c.var.log?.warn({ status: apiError.status, message: apiError.message }, 'request rejected');
    } else {
      c.var.log?.error({ err: error }, 'request failed unexpectedly');
      apiError = new ApiError('INTERNAL', {
        message: `internal error; quote request id ${requestId} when reporting it`,
      });
    }
    const rendered = renderForRequest(c, apiError);
    const response = c.json(rendered.body as object, rendered.status as 400);
    for (const [name, value] of Object.entries(rendered.headers)) response.headers.set(name, value);
    if (apiError.status === 'UNAUTHENTICATED')
      response.headers.set('www-authenticate', 'Bearer realm="atoll"');
    return response;
  };
}

export function notFoundHandler(c: Context<AppEnv>): Response {
  const unserved = unservedArea(c.req.path);
  const error = unserved
    ? unservedError(c.req.method, c.req.path, unserved)
    : new ApiError('NOT_FOUND', {
        message: `no route for ${c.req.method} ${c.req.path}; see /v1/openapi.json for the API`,
      });
  const rendered = renderError(familyOf(c.req.path), error, c.var.requestId ?? 'unknown');
  return c.json(rendered.body as object, rendered.status as 404);
}
