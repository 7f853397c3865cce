/** SQL for package artifacts, packages and package versions. */
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { PageRequest } from '../../http/pagination.ts';
import type {
  ArtifactContents,
  PackageArtifactsTable,
  PackagesTable,
  PackageVersionsTable,
} from '../tables.ts';

export type PackageRow = Selectable<PackagesTable>;
export type PackageVersionRow = Selectable<PackageVersionsTable>;
export type ArtifactRow = Omit<Selectable<PackageArtifactsTable>, 'content'>;

/** Stores an artifact unless the workspace has it already (same digest = same bytes); returns the stored row. */
export async function putArtifact(
  db: Kysely<DB>,
  workspaceId: string,
  digest: string,
  bytes: Uint8Array,
  contents: ArtifactContents,
): Promise<{ row: ArtifactRow; created: boolean }> {
  const inserted = await db
    .insertInto('package_artifacts')
    .values({
      workspace_id: workspaceId,
      digest,
      size: bytes.length,
      content: bytes,
      contents: JSON.stringify(contents),
    })
    .onConflict((oc) => oc.columns(['workspace_id', 'digest']).doNothing())
    .returning(['workspace_id', 'digest', 'size', 'contents', 'created_at'])
    .executeTakeFirst();
  if (inserted) return { row: inserted, created: true };
  const existing = await findArtifact(db, workspaceId, digest);
  return { row: existing!, created: false };
}

export async function findArtifact(
  db: Kysely<DB>,
  workspaceId: string,
  digest: string,
): Promise<ArtifactRow | undefined> {
  return db
    .selectFrom('package_artifacts')
    .select(['workspace_id', 'digest', 'size', 'contents', 'created_at'])
    .where('workspace_id', '=', workspaceId)
    .where('digest', '=', digest)
    .executeTakeFirst();
}

export async function findPackage(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
): Promise<PackageRow | undefined> {
  return db
    .selectFrom('packages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function findPackageByName(
  db: Kysely<DB>,
  workspaceId: string,
  name: string,
): Promise<PackageRow | undefined> {
  return db
    .selectFrom('packages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('name', '=', name)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function listPackages(
  db: Kysely<DB>,
  workspaceId: string,
  page: PageRequest,
): Promise<PackageRow[]> {
  let query = db
    .selectFrom('packages')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('deleted_at', 'is', null);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

export async function findVersion(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
): Promise<PackageVersionRow | undefined> {
  return db
    .selectFrom('package_versions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findVersionBySemver(
  db: Kysely<DB>,
  packageId: string,
  semver: string,
): Promise<PackageVersionRow | undefined> {
  return db
    .selectFrom('package_versions')
    .selectAll()
    .where('package_id', '=', packageId)
    .where('semver', '=', semver)
    .executeTakeFirst();
}

export async function listVersions(
  db: Kysely<DB>,
  packageId: string,
  page: PageRequest,
): Promise<PackageVersionRow[]> {
  let query = db.selectFrom('package_versions').selectAll().where('package_id', '=', packageId);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

/** Every version of a package, for choosing the highest semver. */
export async function allSemvers(
  db: Kysely<DB>,
  packageId: string,
): Promise<Array<{ id: string; semver: string }>> {
  return db
    .selectFrom('package_versions')
    .select(['id', 'semver'])
    .where('package_id', '=', packageId)
    .execute();
}

/** Whether any install (not deleted) uses the package. */
export async function packageInUse(db: Kysely<DB>, packageId: string): Promise<boolean> {
  const row = await db
    .selectFrom('installs')
    .select(sql<number>`1`.as('one'))
    .where('package_id', '=', packageId)
    .where('state', '<>', 'deleted')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** A package by id, deleted or not (the caller holds a reference to it). */
export async function findPackageById(db: Kysely<DB>, id: string): Promise<PackageRow | undefined> {
  return db.selectFrom('packages').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The bytes of a stored artifact (a chart archive, for rendering it). */
export async function findArtifactBytes(
  db: Kysely<DB>,
  workspaceId: string,
  digest: string,
): Promise<Uint8Array | undefined> {
  const row = await db
    .selectFrom('package_artifacts')
    .select('content')
    .where('workspace_id', '=', workspaceId)
    .where('digest', '=', digest)
    .executeTakeFirst();
  return row?.content;
}

/** A version by id (the caller holds a reference to it). */
export async function findVersionById(db: Kysely<DB>, id: string): Promise<PackageVersionRow | undefined> {
  return db.selectFrom('package_versions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A version with the name of its package and its artifact ref (what a render key is made of). */
export async function findVersionRef(
  db: Kysely<DB>,
  versionId: string,
): Promise<{ ref: string; semver: string; name: string } | undefined> {
  return db
    .selectFrom('package_versions as v')
    .innerJoin('packages as p', 'p.id', 'v.package_id')
    .select(['v.ref', 'v.semver', 'p.name'])
    .where('v.id', '=', versionId)
    .executeTakeFirst();
}

/** What the publish job commits for a version: its files (the artifact) and where (the package repository). */
export async function findPublishSource(db: Kysely<DB>, versionId: string) {
  return db
    .selectFrom('package_versions as v')
    .innerJoin('packages as p', 'p.id', 'v.package_id')
    .innerJoin('repositories as r', 'r.id', 'p.repository_id')
    .innerJoin('package_artifacts as a', (join) =>
      join.onRef('a.digest', '=', 'v.ref').onRef('a.workspace_id', '=', 'v.workspace_id'),
    )
    .select([
      'v.id',
      'v.semver',
      'v.ref',
      'v.source',
      'v.input_schema',
      'r.storage',
      'r.branch',
      'a.contents',
      'p.deleted_at',
    ])
    .where('v.id', '=', versionId)
    .executeTakeFirst();
}

export type NewPackage = Pick<
  Insertable<PackagesTable>,
  'id' | 'workspace_id' | 'name' | 'display_image_url' | 'repository_id'
>;

export async function insertPackage(trx: Kysely<DB>, row: NewPackage): Promise<void> {
  await trx.insertInto('packages').values(row).execute();
}

export type NewVersion = Pick<
  Insertable<PackageVersionsTable>,
  | 'id'
  | 'workspace_id'
  | 'package_id'
  | 'semver'
  | 'ref'
  | 'input_schema'
  | 'compatibility'
  | 'source'
  | 'base_values'
  | 'created_by'
>;

export async function insertVersion(trx: Kysely<DB>, row: NewVersion): Promise<PackageVersionRow> {
  return trx.insertInto('package_versions').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Points the package at its latest version, taking that version's description when it is the new one. */
export async function setLatestVersion(
  trx: Kysely<DB>,
  id: string,
  latest: { versionId: string; description?: string | null },
): Promise<void> {
  await trx
    .updateTable('packages')
    .set((eb) => ({
      latest_version_id: latest.versionId,
      ...(latest.description !== undefined ? { description: latest.description } : {}),
      version: eb('version', '+', 1),
      updated_at: new Date(),
    }))
    .where('id', '=', id)
    .execute();
}

/** Deletes the package if it is still at `version`; false when it changed or is deleted already. */
export async function markPackageDeleted(db: Kysely<DB>, id: string, version: number): Promise<boolean> {
  const done = await db
    .updateTable('packages')
    .set((eb) => ({ deleted_at: new Date(), updated_at: new Date(), version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('version', '=', version)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return Number(done.numUpdatedRows) > 0;
}
