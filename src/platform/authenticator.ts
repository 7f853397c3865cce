/**
 * The Authenticator behind the HTTP auth middleware: API tokens (looked up by SHA-256, with expiry and
 * revocation checked on every request, so revocation is immediate), OAuth2 JWTs, and turn tokens
 * (turn-tokens.ts), which are good for one route only — emitting into their turn — and only while
 * their run is active. `last_used_at` is written at most once a minute per token, off the request path.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { JwtConfig } from '../config.ts';
import type { DB } from '../db/schema.ts';
import type { Authenticator, Caller, Credential, CredentialUse, ResourceRef } from '../http/context.ts';
import { forbidden, notFound, unauthenticated } from '../http/errors.ts';
import { assertRoleFor, defaultWorkspace, mayActIn } from './access.ts';
import { findWorkspace } from './workspaces/store.ts';
import { nounOf, ownerOf } from './resource-owners.ts';
import { findByHash, touchToken } from './api-tokens/store.ts';
import { createJwtVerifier } from './jwt.ts';
import type { CachedToken, TokenCache } from './token-cache.ts';
import { hashToken } from '../lib/token-hash.ts';
import { TURN_TOKEN_PREFIX, type TurnClaims, type TurnTokens } from './turn-tokens.ts';

const TOUCH_INTERVAL_MS = 60_000;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export type AuthenticatorDeps = {
  db: Kysely<DB>;
  jwt: JwtConfig | undefined;
  log: Logger;
  tokenCache: TokenCache;
  /** Turn tokens and whether a token's run is still active; without them turn tokens are refused. */
  turns?: { tokens: TurnTokens; active(claims: TurnClaims): Promise<boolean> } | undefined;
};

export function createAuthenticator({ db, jwt, log, tokenCache, turns }: AuthenticatorDeps): Authenticator {
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

  /** A turn token, for its turn's emit route only (checked before the run, which costs a query). */
  async function fromTurnToken(secret: string, use: CredentialUse | undefined): Promise<Caller> {
    const claims = turns?.tokens.read(secret);
    if (!turns || !claims) throw unauthenticated('the turn token is not valid');
    if (claims.expiresAt.getTime() <= Date.now())
      throw unauthenticated(
        `the turn token of run ${claims.runId} expired at ${claims.expiresAt.toISOString()}`,
      );
    const emit = `/v1/agent_turns/${claims.turnId}:emit`;
    if (use?.method !== 'POST' || use.path !== emit)
      throw forbidden(`a turn token may only emit events into its own turn: POST ${emit}`);
    if (!(await turns.active(claims)))
      throw unauthenticated(`run ${claims.runId} has ended; its turn token is no longer valid`);
    return {
      credential: {
        kind: 'turn',
        workspaceId: claims.workspaceId,
        turnId: claims.turnId,
        runId: claims.runId,
      },
      subject: claims.runId,
      secret,
    };
  }

  /** The workspace a JWT's request acts in (docs/api-conventions.md "Which workspace a request acts in"). */
  async function workspaceOfJwt(
    c: Extract<Credential, { kind: 'jwt' }>,
    requested: string | undefined,
    resource: ResourceRef | undefined,
  ): Promise<string> {
    // Looked up once: to act in the resource's workspace when none is named, and for operations also
    // when one is, since the operation that deleted a workspace stays readable by whoever started it
    // whatever workspace the request names (the deleted one can no longer be named).
    const owner =
      resource && (requested === undefined || resource.collection === 'operations')
        ? await ownerOf(db, resource.collection, resource.id)
        : undefined;
    if (owner && owner.startedBy === c.subject && !(await findWorkspace(db, owner.workspaceId)))
      return owner.workspaceId;
    if (requested !== undefined) {
      if (!(await mayActIn(db, c, requested))) {
        throw forbidden(`this credential may not act in workspace ${requested}`);
      }
      return requested;
    }
    if (owner) {
      if (await mayActIn(db, c, owner.workspaceId)) return owner.workspaceId;
      throw notFound(nounOf(resource!.collection), resource!.id);
    }
    return defaultWorkspace(db, c, resource);
  }

  return {
    async authenticate(bearer, use) {
      if (bearer.startsWith('sk_')) return fromToken(bearer);
      if (bearer.startsWith(TURN_TOKEN_PREFIX)) return fromTurnToken(bearer, use);
      if (JWT_SHAPE.test(bearer)) {
        if (!verifyJwt) {
          throw unauthenticated(
            'this server does not accept JWTs (it has no ATOLL_JWT_SECRET or ATOLL_JWT_JWKS_URL); use an API token',
          );
        }
        const { subject, workspaces, defaultWorkspace } = await verifyJwt(bearer);
        return {
          credential: { kind: 'jwt', subject, workspaces, defaultWorkspace },
          subject,
          secret: bearer,
        };
      }
      throw unauthenticated(
        'the bearer credential is neither an API token (sk_…), a turn token (atoll_turn_…) nor a JWT',
      );
    },

    async resolveWorkspace(caller, requested, resource, use) {
      const c = caller.credential;
      if (c.kind === 'token' || c.kind === 'turn') {
        if (requested !== undefined && requested !== c.workspaceId) {
          throw forbidden(
            `this ${c.kind === 'token' ? 'API' : 'turn'} token belongs to workspace ${c.workspaceId} and cannot act in ${requested}`,
          );
        }
        return c.workspaceId;
      }
      const workspaceId = await workspaceOfJwt(c, requested, resource);
      // A workspace token acts with an owner's rights; a JWT with its role (docs/workspaces.md).
      if (use !== undefined) await assertRoleFor(db, c, workspaceId, use);
      return workspaceId;
    },
  };
}
