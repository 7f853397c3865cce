/**
 * The one read across families' tables (resource-owners.ts): the `workspace_id` of the row with this
 * `id` in a table that keys rows by `id` and records their workspace. Nothing else is read; nothing is
 * written. The tables it may be given are listed in resource-owners.ts.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

/** The workspace of row `id` in `table`, or undefined when there is no such row. */
export async function workspaceOfRow(
  db: Kysely<DB>,
  table: keyof DB,
  id: string,
): Promise<string | undefined> {
  const row = await (db as unknown as Kysely<Record<string, { id: string; workspace_id: string }>>)
    .selectFrom(table)
    .select('workspace_id')
    .where('id', '=', id)
    .executeTakeFirst();
  return row?.workspace_id;
}
