/**
 * Liveness and readiness: GET /healthz answers while the process serves; GET /readyz also checks that
 * the store answers and that its schema is the one this build expects, and answers 503 once the server
 * is shutting down, so a load balancer stops sending it work (503 otherwise).
 */
import type { Database } from '../db/database.ts';
import { schemaStatus } from '../db/migrate.ts';
import { ping } from '../db/store.ts';
import type { ApiApp } from './context.ts';

export function registerHealth(app: ApiApp, database: Database, stopping?: AbortSignal): void {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    if (stopping?.aborted) return c.json({ status: 'not_ready', reason: 'the server is shutting down' }, 503);
    try {
      await ping(database.db);
      const schema = await schemaStatus(database);
      if (schema.current !== schema.latest) {
        return c.json(
          { status: 'not_ready', reason: `schema at version ${schema.current}, expected ${schema.latest}` },
          503,
        );
      }
      return c.json({ status: 'ready', store: database.kind, schema_version: schema.current });
    } catch (error) {
      c.var.log.warn({ err: error }, 'readiness check failed');
      return c.json({ status: 'not_ready', reason: 'the store does not answer' }, 503);
    }
  });
}
