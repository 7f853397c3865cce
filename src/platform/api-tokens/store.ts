/** SQL for API tokens. */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { PageRequest } from '../../http/pagination.ts';
import type { ApiTokensTable } from '../tables.ts';

export type ApiTokenRow = Selectable<ApiTokensTable>;

export async function insertToken(
  db: Kysely<DB>,
  row: {
    id: string;
    workspace_id: string;
    name: string;
    prefix: string;
    token_hash: string;
    created_by: string;
    expires_at: Date | null;
  },
): Promise<ApiTokenRow> {
  return db.insertInto('api_tokens').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The token with this hash, for authentication (revoked and expired ones included, to say why). */
export async function findByHash(
  db: Kysely<DB>,
  tokenHash: string,
): Promise<
  Pick<ApiTokenRow, 'id' | 'workspace_id' | 'expires_at' | 'revoked_at' | 'last_used_at'> | undefined
> {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'workspace_id', 'expires_at', 'revoked_at', 'last_used_at'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function listTokens(
  db: Kysely<DB>,
  workspaceId: string,
  page: PageRequest,
): Promise<ApiTokenRow[]> {
  let query = db
    .selectFrom('api_tokens')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('revoked_at', 'is', null);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

/** Revokes a live token of the workspace; false when there is none with that id. */
export async function revokeToken(db: Kysely<DB>, workspaceId: string, id: string): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function touchToken(db: Kysely<DB>, id: string): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: sql<Date>`now()` })
    .where('id', '=', id)
    .execute();
}
