/** HTTP routes of /v1/notifications: schema, auth and one service call each. */
import { createRoute, z } from '@hono/zod-openapi';
import { requireCaller } from '../http/auth.ts';
import type { ApiApp } from '../http/context.ts';
import { pageRequest } from '../http/pagination.ts';
import { errorResponses, json, pathId } from '../http/schemas.ts';
import { ListNotificationsQuery, NOTIFICATION_PAGE_SIZE, NotificationList, UnreadCount } from './schemas.ts';
import type { NotificationService } from './service.ts';

const tags = ['Notifications'];
const security = [{ BearerAuth: [] }];
/** The operations without parameters still refuse unknown query parameters (400 naming them). */
const NoQuery = z.strictObject({});
const IdParam = z.object({ id: pathId(54, 'Notification ID. Prefixed form `ntf_<id>` is canonical.') });

const list = createRoute({
  method: 'get',
  path: '/v1/notifications',
  operationId: 'notifications.list',
  tags,
  security,
  summary: 'List recent notifications',
  description:
    "Returns the authenticated user's most recent in-app notifications (max 50, newest first). Pass `unread=true` to filter to unread notifications only. A workspace API token sees those addressed to it in its workspace; a JWT those addressed to its subject in every workspace it may act in.",
  middleware: [requireCaller] as const,
  request: { query: ListNotificationsQuery },
  responses: {
    200: json(NotificationList, 'Recent notifications (max 50)'),
    ...errorResponses(400, 401, 403),
  },
});

const unreadCount = createRoute({
  method: 'get',
  path: '/v1/notifications/unread_count',
  operationId: 'notifications.getUnreadCount',
  tags,
  security,
  summary: 'Count unread notifications',
  description: 'Returns the number of unread in-app notifications for the authenticated user.',
  middleware: [requireCaller] as const,
  request: { query: NoQuery },
  responses: { 200: json(UnreadCount, 'Unread count'), ...errorResponses(400, 401, 403) },
});

const markRead = createRoute({
  method: 'patch',
  path: '/v1/notifications/{id}/read',
  operationId: 'notifications.markRead',
  tags,
  security,
  summary: 'Mark a notification as read',
  description:
    'Marks a single notification as read. Idempotent: calls for already-read or unowned notifications succeed without effect.',
  middleware: [requireCaller] as const,
  request: { params: IdParam, query: NoQuery },
  responses: { 204: { description: 'Marked as read' }, ...errorResponses(400, 401, 403, 404) },
});

const markAllRead = createRoute({
  method: 'post',
  path: '/v1/notifications/mark_all_read',
  operationId: 'notifications.markAllRead',
  tags,
  security,
  summary: 'Mark all notifications as read',
  description: 'Marks every unread in-app notification for the authenticated user as read. Idempotent.',
  middleware: [requireCaller] as const,
  request: { query: NoQuery },
  responses: { 204: { description: 'All marked as read' }, ...errorResponses(400, 401, 403) },
});

export function registerNotificationRoutes(app: ApiApp, service: NotificationService): void {
  app.openapi(list, async (c) => {
    const query = c.req.valid('query');
    const page = pageRequest({ cursor: query.cursor, limit: NOTIFICATION_PAGE_SIZE });
    return c.json(await service.list(c.var.caller, query.unread === 'true', page), 200);
  });

  app.openapi(unreadCount, async (c) => c.json(await service.unreadCount(c.var.caller), 200));

  app.openapi(markRead, async (c) => {
    await service.markRead(c.var.caller, c.req.valid('param').id);
    return c.body(null, 204);
  });

  app.openapi(markAllRead, async (c) => {
    await service.markAllRead(c.var.caller);
    return c.body(null, 204);
  });
}
