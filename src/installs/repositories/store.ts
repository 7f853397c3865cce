/**
 * State changes of repositories: created with what owns them (an install, a package; change request
 * forks in change-requests/store.ts), a deploy recorded by its render, purged with their owner. Reads
 * by id and storage serve the workers; the API's reads are in ../store.ts.
 */
import type { Insertable, Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { RepositoryRow } from '../store.ts';
import type { RepositoriesTable } from '../tables.ts';

export type NewRepository = Pick<
  Insertable<RepositoriesTable>,
  'id' | 'workspace_id' | 'name' | 'purpose' | 'storage' | 'install_id' | 'package_id' | 'cluster_id'
>;

export async function insertRepository(trx: Kysely<DB>, row: NewRepository): Promise<void> {
  await trx.insertInto('repositories').values(row).execute();
}

/** A repository by id, deleted or not. */
export async function findRepositoryById(db: Kysely<DB>, id: string): Promise<RepositoryRow | undefined> {
  return db.selectFrom('repositories').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A repository by id, deleted or not, that must exist (the caller holds a reference to it). */
export async function getRepository(db: Kysely<DB>, id: string): Promise<RepositoryRow> {
  return db.selectFrom('repositories').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** The repositories of an install (its deploy repository and its change requests' forks). */
export async function installRepositories(
  db: Kysely<DB>,
  installId: string,
): Promise<Array<{ id: string; storage: string }>> {
  return db
    .selectFrom('repositories')
    .select(['id', 'storage'])
    .where('install_id', '=', installId)
    .execute();
}

/** The change request a fork's git directory belongs to, if it is a fork. */
export async function changeRequestOfFork(db: Kysely<DB>, storage: string): Promise<string | null> {
  const fork = await db
    .selectFrom('repositories')
    .select(['repository_change_request_id'])
    .where('storage', '=', storage)
    .where('purpose', '=', 'repository_change_request')
    .executeTakeFirst();
  return fork?.repository_change_request_id ?? null;
}

/** What a deployed render leaves on its repository: the commit on main and the render hash it holds. */
export async function recordDeploy(
  trx: Kysely<DB>,
  id: string,
  deploy: { commitSha: string; renderHash: string; now: Date },
): Promise<void> {
  await trx
    .updateTable('repositories')
    .set((eb) => ({
      last_deploy_sha: deploy.commitSha,
      last_render_hash: deploy.renderHash,
      updated_at: deploy.now,
      version: eb('version', '+', 1),
    }))
    .where('id', '=', id)
    .execute();
}

/** A commit landed outside a render (a published package version): the repository changed. */
export async function touchRepository(db: Kysely<DB>, storage: string): Promise<void> {
  await db
    .updateTable('repositories')
    .set((eb) => ({ updated_at: new Date(), version: eb('version', '+', 1) }))
    .where('storage', '=', storage)
    .execute();
}

/** Marks a change request's fork deleted after its git directory was removed. */
export async function markForkDeleted(db: Kysely<DB>, id: string): Promise<void> {
  await db.updateTable('repositories').set({ deleted_at: new Date() }).where('id', '=', id).execute();
}

/** Marks the repository in `storage` deleted (if it is not yet) after its git directory was removed. */
export async function markStorageDeleted(db: Kysely<DB>, storage: string): Promise<void> {
  await db
    .updateTable('repositories')
    .set({ deleted_at: new Date(), updated_at: new Date() })
    .where('storage', '=', storage)
    .where('deleted_at', 'is', null)
    .execute();
}

/** Marks every repository of a deleted install deleted, after their git directories were removed. */
export async function markInstallRepositoriesDeleted(
  trx: Kysely<DB>,
  installId: string,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('repositories')
    .set({ deleted_at: now, updated_at: now })
    .where('install_id', '=', installId)
    .where('deleted_at', 'is', null)
    .execute();
}
