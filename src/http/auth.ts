/**
 * Authentication middleware, used by routes in their `middleware` list. `requireCaller` accepts any
 * valid credential; `requireWorkspace` also fixes the workspace the request acts in: the token's own,
 * the one a broad credential names in `akua-context`, else — the published API declares the header on
 * few operations, so generated clients cannot always send it — the workspace of the resource the path
 * addresses, else the credential's default workspace (src/platform/access.ts). Both run before request validation, so an
 * unauthenticated request gets 401 whatever its body. `requireWorkspaceForStream` is for Server-Sent
 * Events: a browser's EventSource cannot send headers, so there the credential may also come in the
 * `access_token` query parameter (and the workspace in `akua_context`).
 */
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv, CredentialUse, ResourceRef } from './context.ts';
import { badRequest, unauthenticated } from './errors.ts';

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;
const WORKSPACE_ID = /^ws_[a-z0-9]{1,50}$/;

function bearerFromHeader(c: Context<AppEnv>): string {
  const header = c.req.header('authorization');
  if (header === undefined || header.trim() === '') {
    throw unauthenticated('missing credentials: send "Authorization: Bearer <token>"');
  }
  const match = BEARER.exec(header);
  if (!match) throw unauthenticated('the Authorization header must be "Bearer <token>"');
  return match[1]!;
}

const useOf = (c: Context<AppEnv>): CredentialUse => ({ method: c.req.method, path: c.req.path });

/** The resource a `/v1/<collection>/<id>…` path addresses (the id without a `:verb` suffix). */
export function addressedResource(path: string): ResourceRef | undefined {
  const [, version, collection, segment] = path.split('/');
  if (version !== 'v1' || !collection || !segment || collection.includes(':')) return undefined;
  const id = segment.split(':')[0]!;
  return id === '' ? undefined : { collection, id };
}

async function resolveWorkspace(
  c: Context<AppEnv>,
  requested: string | undefined,
  where: string[],
): Promise<void> {
  if (requested !== undefined && !WORKSPACE_ID.test(requested)) {
    throw badRequest(where, `${where[1]} must be a workspace id such as ws_j572abc123def456`);
  }
  c.set(
    'workspaceId',
    await c.var.authenticator.resolveWorkspace(
      c.var.caller,
      requested,
      addressedResource(c.req.path),
      useOf(c),
    ),
  );
}

export const requireCaller = createMiddleware<AppEnv>(async (c, next) => {
  c.set('caller', await c.var.authenticator.authenticate(bearerFromHeader(c), useOf(c)));
  await next();
});

export const requireWorkspace = createMiddleware<AppEnv>(async (c, next) => {
  c.set('caller', await c.var.authenticator.authenticate(bearerFromHeader(c), useOf(c)));
  await resolveWorkspace(c, c.req.header('akua-context'), ['header', 'akua-context']);
  await next();
});

export const requireWorkspaceForStream = createMiddleware<AppEnv>(async (c, next) => {
  const queryToken = c.req.query('access_token');
  if (c.req.header('authorization') === undefined && queryToken !== undefined) {
    c.set('caller', await c.var.authenticator.authenticate(queryToken, useOf(c)));
    const header = c.req.header('akua-context');
    await resolveWorkspace(
      c,
      header ?? c.req.query('akua_context'),
      header !== undefined ? ['header', 'akua-context'] : ['query', 'akua_context'],
    );
  } else {
    c.set('caller', await c.var.authenticator.authenticate(bearerFromHeader(c), useOf(c)));
    await resolveWorkspace(c, c.req.header('akua-context'), ['header', 'akua-context']);
  }
  await next();
});
