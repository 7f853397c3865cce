/**
 * The one way other domains create notifications: `notify(trx, notice)`, called inside the transaction
 * of the state change that causes it (an approval request created, a render or snippet run failed, a
 * change request ready for review). The notification commits or rolls back with that change, so a crash
 * right after the change cannot lose it, and a change that never happened notifies no one.
 *
 * Recipients are the subjects the resource directly involves (who started, requested or created it)
 * and, when the notice says so, every member of the workspace; each gets its own row, once per
 * (type, resource, occurrence). docs/notifications.md has the table of causes and recipients.
 */
import type { Transaction } from 'kysely';
import { newId } from '../db/ids.ts';
import type { DB } from '../db/schema.ts';
import { memberSubjects } from '../platform/members/store.ts';
import { insertNotifications } from './store.ts';
import type { NotificationSeverity, NotificationType } from './tables.ts';

/** The kind of resource each notification type is about (the published `resource_type`). */
const RESOURCE_TYPE: Record<NotificationType, string> = {
  approval_request_pending: 'approval_request',
  install_render_failed: 'install_render',
  snippet_run_failed: 'snippet_run',
  repository_change_request_ready: 'repository_change_request',
};

const TITLE_MAX = 200;
const BODY_MAX = 2000;
const CONTEXT_VALUE_MAX = 500;

export type Notice = {
  workspaceId: string;
  type: NotificationType;
  resourceId: string;
  title: string;
  body: string | null;
  severity: NotificationSeverity;
  /** Ids and codes a client may link to (string values); `workspace_id` is always added. */
  context: Record<string, string | null | undefined>;
  /** Subjects the resource directly involves; empty and missing ones are skipped. */
  subjects: ReadonlyArray<string | null | undefined>;
  /** Whether every member of the workspace is told as well. */
  members: boolean;
  /** Tells apart notifications about the same resource that may recur (default: one per resource). */
  occurrence?: string;
};

/** Text the store can hold (no U+0000, no lone surrogate), cut to `max` characters. */
function storable(text: string, max: number): string {
  const clean = text.replace(/\u0000/g, '\ufffd').toWellFormed();
  const chars = Array.from(clean);
  return chars.length <= max ? clean : `${chars.slice(0, max - 1).join('')}…`;
}

/** Notifies the notice's recipients inside `trx`; returns how many rows were written. */
export async function notify(trx: Transaction<DB>, notice: Notice): Promise<number> {
  const members = notice.members ? await memberSubjects(trx, notice.workspaceId) : [];
  const recipients = [
    ...new Set(
      [...notice.subjects, ...members].filter((s): s is string => typeof s === 'string' && s !== ''),
    ),
  ];
  const context: Record<string, string> = { workspace_id: notice.workspaceId };
  for (const [key, value] of Object.entries(notice.context)) {
    if (typeof value === 'string') context[key] = storable(value, CONTEXT_VALUE_MAX);
  }
  const dedupeKey = [notice.type, notice.resourceId, notice.occurrence].filter(Boolean).join(':');
  return insertNotifications(
    trx,
    recipients.map((recipient) => ({
      id: newId('ntf'),
      workspace_id: notice.workspaceId,
      recipient,
      type: notice.type,
      resource_type: RESOURCE_TYPE[notice.type],
      resource_id: notice.resourceId,
      title: storable(notice.title, TITLE_MAX),
      body: notice.body === null ? null : storable(notice.body, BODY_MAX),
      severity: notice.severity,
      context: JSON.stringify(context),
      dedupe_key: dedupeKey,
    })),
  );
}
