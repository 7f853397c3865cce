/**
 * Caps request bodies. JSON bodies get the configured limit (ATOLL_MAX_BODY_BYTES); routes that take
 * binary uploads (tar bundles, package archives) declare their own cap with `uploadLimit`, and the JSON
 * cap skips those content types so that only one limit applies to each request. A body with a
 * content-length is judged by the header alone (reading `request.body` would make the Node adapter
 * build a web stream for every request); a chunked body is counted as it streams.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './context.ts';
import { payloadTooLarge } from './error-handler.ts';

const BINARY = /^application\/(x-tar|gzip|x-gzip|octet-stream)\b/i;

function limit(maxBytes: number): MiddlewareHandler {
  const streaming = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw payloadTooLarge(maxBytes);
    },
  });
  return async (c, next) => {
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number(length) > maxBytes) throw payloadTooLarge(maxBytes);
      return next();
    }
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return streaming(c, next);
  };
}

export function jsonBodyLimit(maxBytes: number) {
  const check = limit(maxBytes);
  return createMiddleware<AppEnv>(async (c, next) => {
    if (BINARY.test(c.req.header('content-type') ?? '')) return next();
    return check(c, next);
  });
}

/** A route's own cap for a binary upload body. */
export function uploadLimit(maxBytes: number) {
  return limit(maxBytes);
}
