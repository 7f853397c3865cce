/** SQL for registry connections: the only code that reads or writes the registry_connections table. */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { PageRequest } from '../../http/pagination.ts';
import type { RegistryConnectionsTable } from './tables.ts';

export type RegistryConnectionRow = Selectable<RegistryConnectionsTable>;

/** Inserts a connection; a registry the workspace already has raises `registry_connections_url`. */
export async function insertConnection(
  db: Kysely<DB>,
  row: Insertable<RegistryConnectionsTable>,
): Promise<RegistryConnectionRow> {
  return db.insertInto('registry_connections').values(row).returningAll().executeTakeFirstOrThrow();
}

/** A page of the workspace's connections, newest first (`limit + 1` rows). */
export async function listConnections(
  db: Kysely<DB>,
  workspaceId: string,
  page: PageRequest,
): Promise<RegistryConnectionRow[]> {
  let query = db.selectFrom('registry_connections').selectAll().where('workspace_id', '=', workspaceId);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

/** Deletes the connection; whether there was one. */
export async function deleteConnection(db: Kysely<DB>, workspaceId: string, id: string): Promise<boolean> {
  const result = await db
    .deleteFrom('registry_connections')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The workspace's active connections for `host` (`host` itself or `host/…` paths below it). */
export async function connectionsForHost(
  db: Kysely<DB>,
  workspaceId: string,
  host: string,
): Promise<RegistryConnectionRow[]> {
  return db
    .selectFrom('registry_connections')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('is_active', '=', true)
    .where((eb) => eb.or([eb('registry_url', '=', host), eb('registry_url', 'like', `${host}/%`)]))
    .execute();
}

/** Records that a connection's credentials were presented to its registry. */
export async function markConnectionUsed(db: Kysely<DB>, workspaceId: string, id: string): Promise<void> {
  await db
    .updateTable('registry_connections')
    .set({ last_used_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}
