/** Kysely row types of the notifications table (src/db/migrations/0013_notifications.sql). */
import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, Date | undefined, never>;

/** What a notification is about; each type names one kind of resource (port.ts). */
export type NotificationType =
  | 'approval_request_pending'
  | 'install_render_failed'
  | 'snippet_run_failed'
  | 'repository_change_request_ready';

export type NotificationSeverity = 'info' | 'warning' | 'critical';

export type NotificationsTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  /** Who it is for: an API token's id or a JWT's `sub`. */
  recipient: string;
  type: NotificationType;
  resource_type: string;
  resource_id: string;
  title: string | null;
  body: string | null;
  severity: NotificationSeverity | null;
  /** String values only (the published Notification.context); written as JSON text. */
  context: ColumnType<Record<string, string> | null, string | null, never>;
  dedupe_key: string;
  read_at: Date | null;
  created_at: CreatedAt;
};

export type NotificationTables = { notifications: NotificationsTable };
