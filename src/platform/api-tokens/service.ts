/**
 * API tokens: issued for a workspace and shown once, stored as a SHA-256 hash, listed by prefix,
 * revoked immediately (the next request with it is 401), honouring expires_at.
 */
import type { Kysely } from 'kysely';
import { newId } from '../../db/ids.ts';
import type { DB } from '../../db/schema.ts';
import { unixSeconds, unixSecondsOrNull } from '../../db/time.ts';
import type { Caller } from '../../http/context.ts';
import { invalid, notFound } from '../../http/errors.ts';
import { toPage, type Page, type PageRequest } from '../../http/pagination.ts';
import type { TokenCache } from '../token-cache.ts';
import { hashToken } from '../../lib/token-hash.ts';
import { displayPrefix, generateTokenSecret } from '../token-secret.ts';
import type { ApiToken, CreateApiTokenRequest, CreatedApiToken } from './schemas.ts';
import { toApiToken } from './resources.ts';
import * as store from './store.ts';

export type ApiTokenService = ReturnType<typeof createApiTokenService>;

/** Creates a token (random unless `secret` is given) and returns it with its one-time plaintext. */
export async function issueToken(
  db: Kysely<DB>,
  input: { workspaceId: string; name: string; createdBy: string; expiresAt: Date | null; secret?: string },
): Promise<CreatedApiToken> {
  const token = input.secret ?? generateTokenSecret();
  const row = await store.insertToken(db, {
    id: newId('tok'),
    workspace_id: input.workspaceId,
    name: input.name,
    prefix: displayPrefix(token),
    token_hash: hashToken(token),
    created_by: input.createdBy,
    expires_at: input.expiresAt,
  });
  return {
    id: row.id,
    workspace_id: row.workspace_id,
    name: row.name,
    token,
    prefix: row.prefix,
    created_at: unixSeconds(row.created_at),
    expires_at: unixSecondsOrNull(row.expires_at),
  };
}

export function createApiTokenService({ db, tokenCache }: { db: Kysely<DB>; tokenCache: TokenCache }) {
  return {
    async create(workspaceId: string, caller: Caller, body: CreateApiTokenRequest): Promise<CreatedApiToken> {
      const expiresAt = body.expires_at == null ? null : new Date(body.expires_at * 1000);
      if (expiresAt !== null && expiresAt.getTime() <= Date.now()) {
        throw invalid(['body', 'expires_at'], 'expires_at must be in the future (Unix seconds)');
      }
      return issueToken(db, { workspaceId, name: body.name, createdBy: caller.subject, expiresAt });
    },

    async list(workspaceId: string, page: PageRequest): Promise<Page<ApiToken>> {
      return toPage(await store.listTokens(db, workspaceId, page), page, toApiToken);
    },

    async revoke(workspaceId: string, id: string): Promise<void> {
      const revoked = await store.revokeToken(db, workspaceId, id);
      tokenCache.invalidate();
      if (!revoked) throw notFound('API token', id);
    },
  };
}
