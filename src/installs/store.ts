/** SQL for installs (reads and named state changes), and the API's reads of renders and repositories. */
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { PageRequest } from '../http/pagination.ts';
import type {
  InstallRendersTable,
  InstallState,
  InstallsTable,
  RepositoriesTable,
  RepositoryPurpose,
  VersionPin,
} from './tables.ts';

export type InstallRow = Selectable<InstallsTable>;
export type RenderRow = Selectable<InstallRendersTable>;
export type RepositoryRow = Selectable<RepositoriesTable>;

/** An install with whether a render of it is running (queued, in progress or waiting for review). */
export type InstallRendering = InstallRow & { rendering: boolean };

const rendering = sql<boolean>`EXISTS (SELECT 1 FROM install_renders r WHERE r.install_id = installs.id AND r.state = 'running')`;

function installRendering(db: Kysely<DB>) {
  return db.selectFrom('installs').selectAll('installs').select(rendering.as('rendering'));
}

export async function findInstall(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
): Promise<InstallRendering | undefined> {
  return installRendering(db)
    .where('installs.workspace_id', '=', workspaceId)
    .where('installs.id', '=', id)
    .executeTakeFirst();
}

export async function listInstalls(
  db: Kysely<DB>,
  workspaceId: string,
  page: PageRequest,
): Promise<InstallRendering[]> {
  let query = installRendering(db)
    .where('installs.workspace_id', '=', workspaceId)
    .where('installs.state', '<>', 'deleted');
  if (page.before !== undefined) query = query.where('installs.seq', '<', page.before);
  return query
    .orderBy('installs.seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

/** The install row locked for update (in a transaction). */
export async function lockInstall(trx: Kysely<DB>, id: string): Promise<InstallRow | undefined> {
  return trx.selectFrom('installs').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function findRender(db: Kysely<DB>, id: string): Promise<RenderRow | undefined> {
  return db.selectFrom('install_renders').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findInstallRender(
  db: Kysely<DB>,
  workspaceId: string,
  installId: string,
  id: string,
): Promise<RenderRow | undefined> {
  return db
    .selectFrom('install_renders')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('install_id', '=', installId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function listRenders(
  db: Kysely<DB>,
  installId: string,
  page: PageRequest,
): Promise<RenderRow[]> {
  let query = db.selectFrom('install_renders').selectAll().where('install_id', '=', installId);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

/** The newest render of an install, whatever its state. */
export async function latestRender(db: Kysely<DB>, installId: string): Promise<RenderRow | undefined> {
  return db
    .selectFrom('install_renders')
    .selectAll()
    .where('install_id', '=', installId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Renders of an install still running (queued or in progress, or waiting for review). */
export async function runningRenders(db: Kysely<DB>, installId: string): Promise<RenderRow[]> {
  return db
    .selectFrom('install_renders')
    .selectAll()
    .where('install_id', '=', installId)
    .where('state', '=', 'running')
    .orderBy('seq')
    .execute();
}

export async function findRepository(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
): Promise<RepositoryRow | undefined> {
  return db
    .selectFrom('repositories')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** A repository by the name of its git directory (what the git HTTP endpoint is asked for). */
export async function findRepositoryByStorage(
  db: Kysely<DB>,
  storage: string,
): Promise<RepositoryRow | undefined> {
  return db
    .selectFrom('repositories')
    .selectAll()
    .where('storage', '=', storage)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function listRepositories(
  db: Kysely<DB>,
  workspaceId: string,
  purpose: RepositoryPurpose | undefined,
  page: PageRequest,
): Promise<RepositoryRow[]> {
  let query = db
    .selectFrom('repositories')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('deleted_at', 'is', null);
  if (purpose) query = query.where('purpose', '=', purpose);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

/** Installs of a package that follow its latest version (for automatic updates). */
export async function installsFollowingLatest(db: Kysely<DB>, packageId: string): Promise<InstallRow[]> {
  return db
    .selectFrom('installs')
    .selectAll()
    .where('package_id', '=', packageId)
    .where('state', '<>', 'deleted')
    .where(sql<boolean>`version_pin->>'kind' = 'latest'`)
    .forUpdate()
    .execute();
}

/** An install by id, whatever its state (the caller holds a reference to it). */
export async function getInstall(db: Kysely<DB>, id: string): Promise<InstallRow> {
  return db.selectFrom('installs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** The install deploying to a repository, locked for update (in a transaction). */
export async function lockInstallOfRepository(trx: Kysely<DB>, repositoryId: string): Promise<InstallRow> {
  return trx
    .selectFrom('installs')
    .selectAll()
    .where('repository_id', '=', repositoryId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export type NewInstall = Pick<
  Insertable<InstallsTable>,
  | 'id'
  | 'workspace_id'
  | 'package_id'
  | 'version_pin'
  | 'package_version_id'
  | 'region_id'
  | 'cluster_id'
  | 'input_values'
  | 'require_review'
  | 'repository_id'
  | 'created_by'
>;

export async function insertInstall(trx: Kysely<DB>, row: NewInstall): Promise<void> {
  await trx.insertInto('installs').values(row).execute();
}

/** The install is deleted at once; its repositories are purged by the install.delete job. */
export async function markInstallDeleted(trx: Kysely<DB>, id: string): Promise<void> {
  await trx
    .updateTable('installs')
    .set((eb) => ({
      state: 'deleted',
      deleted_at: new Date(),
      updated_at: new Date(),
      version: eb('version', '+', 1),
    }))
    .where('id', '=', id)
    .execute();
}

/** A render of the install began (a deleted install stays deleted). */
export async function markInstallRendering(trx: Kysely<DB>, id: string): Promise<void> {
  await trx
    .updateTable('installs')
    .set({ state: 'rendering', updated_at: new Date() })
    .where('id', '=', id)
    .where('state', '<>', 'deleted')
    .execute();
}

/** The version the install moves to with its next deploy (null: the one it is on). */
export async function setDesiredVersion(trx: Kysely<DB>, id: string, desired: string | null): Promise<void> {
  await trx
    .updateTable('installs')
    .set((eb) => ({ desired_version_id: desired, updated_at: new Date(), version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .execute();
}

/** Turns automatic updates on (`latest`) or off (pinned), as the caller asked. */
export async function setVersionPin(trx: Kysely<DB>, id: string, pin: VersionPin): Promise<void> {
  await trx
    .updateTable('installs')
    .set((eb) => ({
      version_pin: JSON.stringify(pin),
      updated_at: new Date(),
      version: eb('version', '+', 1),
    }))
    .where('id', '=', id)
    .execute();
}

/** The pin following a deploy that changed the version (part of that deploy's change). */
export async function repinInstall(trx: Kysely<DB>, id: string, pin: VersionPin): Promise<void> {
  await trx
    .updateTable('installs')
    .set({ version_pin: JSON.stringify(pin) })
    .where('id', '=', id)
    .execute();
}

/**
 * A render deployed (or skipped) the version and values: the install is healthy on them, and no longer
 * moving to that version. Returns the install as it is now; undefined when it was deleted meanwhile.
 */
export async function recordInstallDeploy(
  trx: Kysely<DB>,
  id: string,
  deploy: { packageVersionId: string; values: Record<string, unknown>; now: Date },
): Promise<InstallRow | undefined> {
  return trx
    .updateTable('installs')
    .set((eb) => ({
      state: 'healthy' as InstallState,
      package_version_id: deploy.packageVersionId,
      input_values: JSON.stringify(deploy.values),
      desired_version_id: eb.fn<string | null>('nullif', [
        eb.ref('desired_version_id'),
        eb.val(deploy.packageVersionId),
      ]),
      updated_at: deploy.now,
      version: eb('version', '+', 1),
    }))
    .where('id', '=', id)
    .where('state', '<>', 'deleted')
    .returningAll()
    .executeTakeFirst();
}

/** The state a render that did not deploy leaves the install in; false when it was deleted meanwhile. */
export async function setInstallState(
  trx: Kysely<DB>,
  id: string,
  state: InstallState,
  now: Date,
): Promise<boolean> {
  const result = await trx
    .updateTable('installs')
    .set((eb) => ({ state, updated_at: now, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('state', '<>', 'deleted')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** The workspace's renders started in [from, to), counted by state (dashboards' platform metrics). */
export async function countRendersByState(
  db: Kysely<DB>,
  workspaceId: string,
  window: { from: Date; to: Date },
): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('install_renders')
    .select(['state', sql<number>`count(*)::int`.as('count')])
    .where('workspace_id', '=', workspaceId)
    .where('created_at', '>=', window.from)
    .where('created_at', '<', window.to)
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.count)]));
}
