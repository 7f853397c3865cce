/**
 * SQL for workspace members, the one owner of `workspace_members`. A member is a JWT subject with a
 * role in one workspace. Changes to a workspace's members are serialised by locking its workspace row
 * (`lockWorkspace`), so two concurrent changes cannot both remove "one of two owners".
 */
import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../db/ids.ts';
import type { DB } from '../../db/schema.ts';
import type { WorkspaceMembersTable } from '../tables.ts';
import type { WorkspaceRole } from './schemas.ts';

export type MemberRow = Selectable<WorkspaceMembersTable>;

export async function insertMember(
  db: Kysely<DB>,
  row: { workspaceId: string; subject: string; role: WorkspaceRole },
): Promise<MemberRow> {
  return db
    .insertInto('workspace_members')
    .values({ id: newId('wsm'), workspace_id: row.workspaceId, subject: row.subject, role: row.role })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Whether the workspace exists, and the subject's role in it when it is a member. */
export async function membership(
  db: Kysely<DB>,
  workspaceId: string,
  subject: string,
): Promise<{ exists: boolean; role: WorkspaceRole | undefined }> {
  const row = await db
    .selectFrom('workspaces as w')
    .leftJoin('workspace_members as m', (join) =>
      join.onRef('m.workspace_id', '=', 'w.id').on('m.subject', '=', subject),
    )
    .select(['w.id', 'm.role'])
    .where('w.id', '=', workspaceId)
    .executeTakeFirst();
  return { exists: row !== undefined, role: row?.role ?? undefined };
}

/** Locks the workspace row until the transaction ends; false when there is no such workspace. */
export async function lockWorkspace(trx: Kysely<DB>, workspaceId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('workspaces')
    .select('id')
    .where('id', '=', workspaceId)
    .forUpdate()
    .executeTakeFirst();
  return row !== undefined;
}

/** The subjects that are members of a workspace, sorted (the notifications port reads them in its transaction). */
export async function memberSubjects(db: Kysely<DB>, workspaceId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('workspace_members')
    .select('subject')
    .where('workspace_id', '=', workspaceId)
    .orderBy('subject')
    .execute();
  return rows.map((r) => r.subject);
}

/** The ids of the workspaces a subject is a member of, as a subquery for `workspace_id IN (…)`. */
export function workspacesOfMember(db: Kysely<DB>, subject: string) {
  return db.selectFrom('workspace_members').select('workspace_id').where('subject', '=', subject);
}

/** The workspace's members in the order they joined. */
export async function listMembers(db: Kysely<DB>, workspaceId: string): Promise<MemberRow[]> {
  return db
    .selectFrom('workspace_members')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('seq', 'asc')
    .execute();
}

export async function findMember(
  db: Kysely<DB>,
  workspaceId: string,
  subject: string,
): Promise<MemberRow | undefined> {
  return db
    .selectFrom('workspace_members')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('subject', '=', subject)
    .executeTakeFirst();
}

export async function setMemberRole(
  db: Kysely<DB>,
  workspaceId: string,
  subject: string,
  role: WorkspaceRole,
): Promise<MemberRow | undefined> {
  return db
    .updateTable('workspace_members')
    .set({ role })
    .where('workspace_id', '=', workspaceId)
    .where('subject', '=', subject)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteMember(db: Kysely<DB>, workspaceId: string, subject: string): Promise<boolean> {
  const result = await db
    .deleteFrom('workspace_members')
    .where('workspace_id', '=', workspaceId)
    .where('subject', '=', subject)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** How many members the workspace has, and how many of them are owners. */
export async function countMembers(
  db: Kysely<DB>,
  workspaceId: string,
): Promise<{ members: number; owners: number }> {
  const row = await db
    .selectFrom('workspace_members')
    .select((eb) => [
      eb.fn.countAll<number>().as('members'),
      eb.fn.count<number>('subject').filterWhere('role', '=', 'owner').as('owners'),
    ])
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirstOrThrow();
  return { members: Number(row.members), owners: Number(row.owners) };
}
