/** Row → resource mapper of notifications (`to<Resource>`). */
import { unixSeconds, unixSecondsOrNull } from '../db/time.ts';
import type { Notification } from './schemas.ts';
import type { NotificationRow } from './store.ts';

export function toNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    type: row.type,
    resource_type: row.resource_type,
    resource_id: row.resource_id,
    title: row.title,
    body: row.body,
    severity: row.severity,
    context: row.context,
    read_at: unixSecondsOrNull(row.read_at),
    created_at: unixSeconds(row.created_at),
  };
}
