/**
 * Authentication middleware, used by routes in their `middleware` list. `requireCaller` accepts any
 * valid credential; `requireWorkspace` also fixes the workspace the request acts in (the token's own,
 * or the one a broad credential names in `akua-context`). Both run before request validation, so an
 * unauthenticated request gets 401 whatever its body.
 */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './context.ts';
import { badRequest, unauthenticated } from './errors.ts';

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;
const WORKSPACE_ID = /^ws_[a-z0-9]{1,50}$/;

export const requireCaller = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header('authorization');
  if (header === undefined || header.trim() === '') {
    throw unauthenticated('missing credentials: send "Authorization: Bearer <token>"');
  }
  const match = BEARER.exec(header);
  if (!match) throw unauthenticated('the Authorization header must be "Bearer <token>"');
  c.set('caller', await c.var.authenticator.authenticate(match[1]!));
  await next();
});

export const requireWorkspace = createMiddleware<AppEnv>(async (c, next) => {
  await requireCaller(c, async () => {
    const requested = c.req.header('akua-context');
    if (requested !== undefined && !WORKSPACE_ID.test(requested)) {
      throw badRequest(
        ['header', 'akua-context'],
        'akua-context must be a workspace id such as ws_j572abc123def456',
      );
    }
    c.set('workspaceId', await c.var.authenticator.resolveWorkspace(c.var.caller, requested));
    await next();
  });
});
