/**
 * A caller's own notifications: list (newest first, 50 a page), count unread, mark one or all read.
 * Whose and where follow from the credential alone (the published operations take no akua-context):
 * a workspace API token sees what was addressed to it (its token id) in its workspace; a JWT sees what
 * was addressed to its `sub` in every workspace it may act in. Marking is idempotent and never reveals
 * whether a notification exists: already read, unknown or another caller's, it changes nothing.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Caller } from '../http/context.ts';
import { forbidden } from '../http/errors.ts';
import { toPage, type Page, type PageRequest } from '../http/pagination.ts';
import type { Notification } from './schemas.ts';
import { toNotification } from './resources.ts';
import * as store from './store.ts';

export type NotificationService = ReturnType<typeof createNotificationService>;

const PREFIX = 'ntf_';

/** Whose notifications a caller sees, and in which workspaces. */
export function audienceOf(caller: Caller): store.Audience {
  const c = caller.credential;
  switch (c.kind) {
    case 'token':
      return { recipient: c.tokenId, workspaces: { all: false, ids: [c.workspaceId], members: false } };
    case 'jwt':
      return {
        recipient: c.subject,
        workspaces: c.workspaces === '*' ? { all: true } : { all: false, ids: c.workspaces, members: true },
      };
    case 'turn':
      // The authenticator admits turn tokens on their emit route only; this is the backstop.
      throw forbidden('a turn token may only emit events into its own turn');
    default: {
      const never: never = c;
      throw new Error(`unknown credential ${JSON.stringify(never)}`);
    }
  }
}

/** The stored id for a path id: the canonical `ntf_…` form, or the same id without its prefix. */
export function canonicalId(id: string): string {
  return id.startsWith(PREFIX) ? id : `${PREFIX}${id}`;
}

export function createNotificationService({ db }: { db: Kysely<DB> }) {
  return {
    async list(caller: Caller, unreadOnly: boolean, page: PageRequest): Promise<Page<Notification>> {
      return toPage(
        await store.listNotifications(db, audienceOf(caller), unreadOnly, page),
        page,
        toNotification,
      );
    },

    async unreadCount(caller: Caller): Promise<{ count: number }> {
      return { count: await store.countUnread(db, audienceOf(caller)) };
    },

    async markRead(caller: Caller, id: string): Promise<void> {
      await store.markRead(db, audienceOf(caller), canonicalId(id));
    },

    async markAllRead(caller: Caller): Promise<void> {
      await store.markRead(db, audienceOf(caller));
    },
  };
}
