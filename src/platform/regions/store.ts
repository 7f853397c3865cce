/** SQL for regions: the only code that writes the regions table. */
import type { Kysely, Selectable } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { PageRequest } from '../../http/pagination.ts';
import { LOCAL_REGION } from './schemas.ts';
import type { RegionsTable } from './tables.ts';

export type RegionRow = Selectable<RegionsTable>;

/** Gives a new workspace its `local` region; called in the transaction that inserts the workspace. */
export async function insertLocalRegion(db: Kysely<DB>, workspaceId: string): Promise<void> {
  await db
    .insertInto('regions')
    .values({ workspace_id: workspaceId, id: LOCAL_REGION, name: LOCAL_REGION, created_by: 'system' })
    .execute();
}

/** Inserts a region; a name taken in the workspace raises the `regions_name` unique violation. */
export async function insertRegion(
  db: Kysely<DB>,
  row: { workspace_id: string; id: string; name: string; icon: string | null; created_by: string },
): Promise<RegionRow> {
  return db.insertInto('regions').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findRegion(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
): Promise<RegionRow | undefined> {
  return db
    .selectFrom('regions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** A page of the workspace's regions, newest first (`limit + 1` rows). */
export async function listRegions(
  db: Kysely<DB>,
  workspaceId: string,
  page: PageRequest,
): Promise<RegionRow[]> {
  let query = db.selectFrom('regions').selectAll().where('workspace_id', '=', workspaceId);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}
