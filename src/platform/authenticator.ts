/**
 * The Authenticator behind the HTTP auth middleware: API tokens (looked up by SHA-256, with expiry and
 * revocation checked on every request, so revocation is immediate) and OAuth2 JWTs. `last_used_at` is
 * written at most once a minute per token, off the request path.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { JwtConfig } from '../config.ts';
import type { DB } from '../db/schema.ts';
import type { Authenticator, Caller } from '../http/context.ts';
import { badRequest, forbidden, unauthenticated } from '../http/errors.ts';
import { mayActIn } from './access.ts';
import { findByHash, touchToken } from './api-tokens/store.ts';
import { createJwtVerifier } from './jwt.ts';
import type { CachedToken, TokenCache } from './token-cache.ts';
import { hashToken } from './token-secret.ts';

const TOUCH_INTERVAL_MS = 60_000;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export type AuthenticatorDeps = {
  db: Kysely<DB>;
  jwt: JwtConfig | undefined;
  log: Logger;
  tokenCache: TokenCache;
};

export function createAuthenticator({ db, jwt, log, tokenCache }: AuthenticatorDeps): Authenticator {
  const verifyJwt = jwt ? createJwtVerifier(jwt) : undefined;

  async function lookup(tokenHash: string): Promise<CachedToken> {
    const cached = tokenCache.get(tokenHash);
    if (cached) return cached;
    const row = await findByHash(db, tokenHash);
    if (!row) throw unauthenticated('unknown API token');
    if (row.revoked_at !== null) throw unauthenticated(`API token ${row.id} has been revoked`);
    const token = {
      id: row.id,
      workspaceId: row.workspace_id,
      expiresAt: row.expires_at,
      lastUsedAt: row.last_used_at,
    };
    tokenCache.set(tokenHash, token);
    return token;
  }

  async function fromToken(secret: string): Promise<Caller> {
    const token = await lookup(hashToken(secret));
    const now = Date.now();
    if (token.expiresAt !== null && token.expiresAt.getTime() <= now) {
      throw unauthenticated(`API token ${token.id} expired at ${token.expiresAt.toISOString()}`);
    }
    if (token.lastUsedAt === null || now - token.lastUsedAt.getTime() >= TOUCH_INTERVAL_MS) {
      token.lastUsedAt = new Date(now);
      touchToken(db, token.id).catch((error) =>
        log.warn({ err: error, token_id: token.id }, 'could not record token use'),
      );
    }
    return {
      credential: { kind: 'token', tokenId: token.id, workspaceId: token.workspaceId },
      subject: token.id,
      secret,
    };
  }

  return {
    async authenticate(bearer) {
      if (bearer.startsWith('sk_')) return fromToken(bearer);
      if (JWT_SHAPE.test(bearer)) {
        if (!verifyJwt) {
          throw unauthenticated(
            'this server does not accept JWTs (it has no ATOLL_JWT_SECRET or ATOLL_JWT_JWKS_URL); use an API token',
          );
        }
        const { subject, workspaces } = await verifyJwt(bearer);
        return { credential: { kind: 'jwt', subject, workspaces }, subject, secret: bearer };
      }
      throw unauthenticated('the bearer credential is neither an API token (sk_…) nor a JWT');
    },

    async resolveWorkspace(caller, requested) {
      const c = caller.credential;
      if (c.kind === 'token') {
        if (requested !== undefined && requested !== c.workspaceId) {
          throw forbidden(
            `this API token belongs to workspace ${c.workspaceId} and cannot act in ${requested}`,
          );
        }
        return c.workspaceId;
      }
      if (requested === undefined) {
        throw badRequest(
          ['header', 'akua-context'],
          'a JWT can act in several workspaces: name one in the akua-context header',
        );
      }
      if (!(await mayActIn(db, c, requested))) {
        throw forbidden(`this credential may not act in workspace ${requested}`);
      }
      return requested;
    },
  };
}
