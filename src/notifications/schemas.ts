/**
 * Notification schemas (Akua `Notification`, `NotificationList`, `UnreadCount`) and the list query.
 * `cursor` on the list is an Atoll extension: the published operation returns at most 50 and a
 * `next_cursor`, and declares no parameter to send it back in.
 */
import { z } from '@hono/zod-openapi';
import { listOf, UnixSeconds } from '../http/schemas.ts';

export const NOTIFICATION_PAGE_SIZE = 50;

export const Notification = z
  .object({
    id: z.string().min(1).max(54).openapi({ example: 'ntf_j572abc123def456' }),
    type: z.string().openapi({
      example: 'install_render_failed',
      description:
        'approval_request_pending, install_render_failed, snippet_run_failed or repository_change_request_ready.',
    }),
    resource_type: z.string().openapi({
      example: 'install_render',
      description: 'approval_request, install_render, snippet_run or repository_change_request.',
    }),
    resource_id: z.string(),
    title: z.string().nullable(),
    body: z.string().nullable(),
    severity: z
      .enum(['info', 'warning', 'critical'])
      .nullable()
      .openapi({ description: 'Severity level surfaced to UI indicators.' }),
    context: z
      .record(z.string(), z.string())
      .nullable()
      .openapi({ description: 'Related ids and codes; always includes workspace_id.' }),
    read_at: UnixSeconds.nullable().openapi({
      description: 'Unix timestamp (seconds) when read, null if unread',
    }),
    created_at: UnixSeconds,
  })
  .openapi('Notification');
export type Notification = z.infer<typeof Notification>;

export const NotificationList = listOf(Notification, 'NotificationList');

export const UnreadCount = z.object({ count: z.number() }).openapi('UnreadCount');

export const ListNotificationsQuery = z.strictObject({
  unread: z
    .enum(['true', 'false'], { error: 'unread must be "true" or "false"' })
    .optional()
    .openapi({ description: 'When set to `true`, only unread notifications are returned.' }),
  cursor: z.string().min(1).max(512).optional().openapi({
    description:
      'Atoll extension: the `next_cursor` of a previous page, to read the next (older) 50 notifications.',
  }),
});
