/**
 * The notifications domain wired together: the caller's notifications over HTTP. Other domains create
 * notifications through port.ts, inside the transactions of the changes that cause them.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { ApiApp } from '../http/context.ts';
import { registerNotificationRoutes } from './routes.ts';
import { createNotificationService } from './service.ts';

export function notificationsModule(deps: { db: Kysely<DB> }) {
  const notifications = createNotificationService(deps);
  return {
    notifications,
    name: 'notifications',
    routes(app: ApiApp): void {
      registerNotificationRoutes(app, notifications);
    },
  };
}
