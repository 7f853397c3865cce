/** Push tokens of change request forks: issued by :createToken, looked up by the git endpoint. */
import type { Kysely } from 'kysely';
import { newId } from '../../db/ids.ts';
import type { DB } from '../../db/schema.ts';
import type { ChangeRequestState } from '../tables.ts';

export async function insertToken(
  db: Kysely<DB>,
  token: {
    workspaceId: string;
    changeRequestId: string;
    tokenHash: string;
    scope: 'read' | 'write';
    expiresAt: Date;
  },
): Promise<void> {
  await db
    .insertInto('repository_change_request_tokens')
    .values({
      id: newId('rct'),
      workspace_id: token.workspaceId,
      repository_change_request_id: token.changeRequestId,
      token_hash: token.tokenHash,
      scope: token.scope,
      expires_at: token.expiresAt,
    })
    .execute();
}

/** What a token grants: its scope and expiry, with its request's state and branch and its fork. */
export type TokenGrant = {
  scope: 'read' | 'write';
  expires_at: Date;
  state: ChangeRequestState;
  request_expires_at: Date;
  branch: string;
  storage: string;
  deleted_at: Date | null;
};

export async function findTokenGrant(db: Kysely<DB>, tokenHash: string): Promise<TokenGrant | undefined> {
  return db
    .selectFrom('repository_change_request_tokens as t')
    .innerJoin('repository_change_requests as r', 'r.id', 't.repository_change_request_id')
    .innerJoin('repositories as f', 'f.id', 'r.fork_repository_id')
    .select([
      't.scope',
      't.expires_at',
      'r.state',
      'r.expires_at as request_expires_at',
      'r.branch',
      'f.storage',
      'f.deleted_at',
    ])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
}
