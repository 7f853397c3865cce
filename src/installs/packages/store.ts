/** SQL for package artifacts, packages and package versions. */
import { sql, type Kysely, type Selectable } from 'kysely';
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
