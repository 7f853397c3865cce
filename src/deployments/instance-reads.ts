/**
 * The reads runs and service instances share: one of a deployment's instances or 404 (the deployment
 * checked first, so another workspace's ids answer as missing), the instance as a log owner, and a
 * bounded wait until it settles, woken by this process's worker through the log bus, else polling.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { loadDeployment } from './deployment-service.ts';
import { notFound, type NotFoundKind } from './errors.ts';
import type { LogBus } from './logs/bus.ts';
import type { LogOwner } from './logs/service.ts';
import type { ResourceRef } from './refs.ts';

/** The instance or 404 `<kind>_not_found`; the deployment must be the workspace's (deleted or not). */
export async function loadInstance<Row>(
  db: Kysely<DB>,
  kind: NotFoundKind,
  ref: ResourceRef,
  find: (db: Kysely<DB>, workspaceId: string, deploymentId: string, id: string) => Promise<Row | undefined>,
): Promise<Row> {
  await loadDeployment(db, ref.workspaceId, ref.deploymentId);
  const row = await find(db, ref.workspaceId, ref.deploymentId, ref.id);
  if (!row) throw notFound(kind, ref.id);
  return row;
}

/** Resolves once `read` finds the instance settled (or gone), or undefined once `ms` passed. */
export async function waitUntilSettled<Row>(
  bus: LogBus,
  id: string,
  ms: number,
  read: () => Promise<Row | undefined>,
  settled: (row: Row) => boolean,
): Promise<Row | undefined> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const row = await read();
    if (!row || settled(row)) return row;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(250, Math.max(deadline - Date.now(), 0)));
      const unsubscribe = bus.subscribe(id, done);
      function done() {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
  }
  return undefined;
}

/** The instance as a log owner: each state read is one query of its status and truncation. */
export function instanceLogOwner<Status>(
  id: string,
  read: () => Promise<{ status: Status; log_truncated: boolean }>,
  ended: (status: Status) => boolean,
): LogOwner {
  return {
    id,
    async state() {
      const row = await read();
      return { ended: ended(row.status), truncated: row.log_truncated };
    },
  };
}
