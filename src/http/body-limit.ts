/**
 * Caps request bodies. JSON bodies get the configured limit (ATOLL_MAX_BODY_BYTES); routes that take
 * binary uploads (tar bundles, package archives) declare their own cap with `uploadLimit`, and the JSON
 * cap skips those content types so that only one limit applies to each request.
 */
import { createMiddleware } from 'hono/factory';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from './context.ts';
import { payloadTooLarge } from './error-handler.ts';

const BINARY = /^application\/(x-tar|gzip|x-gzip|octet-stream)\b/i;

export function jsonBodyLimit(maxBytes: number) {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw payloadTooLarge(maxBytes);
    },
  });
  return createMiddleware<AppEnv>(async (c, next) => {
    if (BINARY.test(c.req.header('content-type') ?? '')) return next();
    return limit(c, next);
  });
}

/** A route's own cap for a binary upload body. */
export function uploadLimit(maxBytes: number) {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw payloadTooLarge(maxBytes);
    },
  });
}
