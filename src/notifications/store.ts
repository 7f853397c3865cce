/**
 * SQL for notifications, the only code that writes the table. Every read and mark is scoped to one
 * recipient and to the workspaces its credential may see (an Audience), so another caller's
 * notification is never seen or changed. Pages go newest first by `seq`. Membership is the platform's:
 * it is read through platform/members/store.ts.
 */
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { PageRequest } from '../http/pagination.ts';
import { workspacesOfMember } from '../platform/members/store.ts';
import type { NotificationsTable } from './tables.ts';

export type NotificationRow = Selectable<NotificationsTable>;

/**
 * Whose notifications, in which workspaces: a recipient subject, and either every workspace or those
 * listed plus (with `members`) those whose members include the recipient.
 */
export type Audience = {
  recipient: string;
  workspaces: { all: true } | { all: false; ids: readonly string[]; members: boolean };
};

/** Inserts notifications; one already given to its recipient under the same key is skipped. */
export async function insertNotifications(
  db: Kysely<DB>,
  rows: Insertable<NotificationsTable>[],
): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await db
    .insertInto('notifications')
    .values(rows)
    .onConflict((oc) => oc.columns(['recipient', 'dedupe_key']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n);
}

/** The notifications an audience may see, as a query to narrow further. */
function visible(db: Kysely<DB>, audience: Audience) {
  let query = db.selectFrom('notifications').where('recipient', '=', audience.recipient);
  const scope = audience.workspaces;
  if (!scope.all) {
    query = query.where((eb) => {
      const ors = [];
      if (scope.ids.length > 0) ors.push(eb('workspace_id', 'in', scope.ids));
      if (scope.members) {
        ors.push(eb('workspace_id', 'in', workspacesOfMember(db, audience.recipient)));
      }
      return ors.length > 0 ? eb.or(ors) : eb.val(false);
    });
  }
  return query;
}

/** A page of the audience's notifications (only unread ones with `unreadOnly`), newest first. */
export async function listNotifications(
  db: Kysely<DB>,
  audience: Audience,
  unreadOnly: boolean,
  page: PageRequest,
): Promise<NotificationRow[]> {
  let query = visible(db, audience).selectAll();
  if (unreadOnly) query = query.where('read_at', 'is', null);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

export async function countUnread(db: Kysely<DB>, audience: Audience): Promise<number> {
  const row = await visible(db, audience)
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Marks the audience's unread notifications read: the one with `id`, or all of them. Already-read,
 * unknown and other callers' notifications are left as they are. Returns how many changed.
 */
export async function markRead(db: Kysely<DB>, audience: Audience, id?: string): Promise<number> {
  const ids = visible(db, audience).select('id').where('read_at', 'is', null);
  const result = await db
    .updateTable('notifications')
    .set({ read_at: new Date() })
    .where('read_at', 'is', null)
    .where('id', 'in', id === undefined ? ids : ids.where('id', '=', id))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
