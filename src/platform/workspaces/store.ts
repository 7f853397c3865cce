/** SQL for workspaces (their members: src/platform/members/store.ts). */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { Credential } from '../../http/context.ts';
import type { PageRequest } from '../../http/pagination.ts';
import { insertLocalRegion } from '../regions/store.ts';
import type { WorkspacesTable } from '../tables.ts';

export type WorkspaceRow = Selectable<WorkspacesTable>;

/** Which workspaces a listing may show. */
export type WorkspaceVisibility =
  { all: true } | { all: false; ids: readonly string[]; memberSubject: string | undefined };

/** Inserts a workspace with its `local` region; call it in a transaction. */
/** The workspaces a credential may see: its own (a token), or those a JWT's claim and memberships give. */
export function visibleTo(credential: Credential): WorkspaceVisibility {
  if (credential.kind !== 'jwt')
    return { all: false, ids: [credential.workspaceId], memberSubject: undefined };
  if (credential.workspaces === '*') return { all: true };
  return { all: false, ids: credential.workspaces, memberSubject: credential.subject };
}

export async function insertWorkspace(
  db: Kysely<DB>,
  row: { id: string; name: string; slug: string; created_by: string },
): Promise<WorkspaceRow> {
  const workspace = await db.insertInto('workspaces').values(row).returningAll().executeTakeFirstOrThrow();
  await insertLocalRegion(db, workspace.id);
  return workspace;
}

export async function findWorkspace(db: Kysely<DB>, id: string): Promise<WorkspaceRow | undefined> {
  return db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Workspaces whose id, slug or name is `ref` (`atoll token create --workspace`). */
export async function findWorkspacesByRef(
  db: Kysely<DB>,
  ref: string,
): Promise<{ id: string; name: string }[]> {
  return db
    .selectFrom('workspaces')
    .select(['id', 'name'])
    .where((eb) => eb.or([eb('id', '=', ref), eb('slug', '=', ref), eb('name', '=', ref)]))
    .execute();
}

/** Serialises first starts across processes: an advisory lock held until the transaction ends. */
export async function lockBootstrap(trx: Kysely<DB>, key: number): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${key})`.execute(trx);
}

export async function slugTaken(db: Kysely<DB>, slug: string): Promise<boolean> {
  return (
    (await db.selectFrom('workspaces').select('id').where('slug', '=', slug).executeTakeFirst()) !== undefined
  );
}

export async function listWorkspaces(
  db: Kysely<DB>,
  visible: WorkspaceVisibility,
  page: PageRequest,
): Promise<WorkspaceRow[]> {
  let query = db.selectFrom('workspaces').selectAll();
  if (!visible.all) {
    const { ids, memberSubject } = visible;
    query = query.where((eb) => {
      const ors = [];
      if (ids.length > 0) ors.push(eb('id', 'in', ids));
      if (memberSubject !== undefined) {
        ors.push(
          eb(
            'id',
            'in',
            eb.selectFrom('workspace_members').select('workspace_id').where('subject', '=', memberSubject),
          ),
        );
      }
      return ors.length > 0 ? eb.or(ors) : eb.val(false);
    });
  }
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

/** Applies a patch if the row is still at `version`; undefined when it is not (or is gone). */
export async function updateWorkspace(
  db: Kysely<DB>,
  id: string,
  version: number,
  patch: { name?: string; slug?: string },
): Promise<WorkspaceRow | undefined> {
  return db
    .updateTable('workspaces')
    .set((eb) => ({ ...patch, version: eb('version', '+', 1), updated_at: new Date() }))
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteWorkspace(db: Kysely<DB>, id: string, version: number): Promise<boolean> {
  const result = await db
    .deleteFrom('workspaces')
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function countWorkspaces(db: Kysely<DB>): Promise<number> {
  const row = await db
    .selectFrom('workspaces')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
