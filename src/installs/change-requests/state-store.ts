/**
 * State changes of change requests, one named move per function. Each bumps the request's version (its
 * etag) and `updated_at`. Open states are EDITABLE_STATES plus VALIDATING and ACCEPTING (being merged).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { ChangeType, RenderFailure } from '../tables.ts';
import { EDITABLE_STATES, type ChangeRequestRow } from './store.ts';

/** States a render still working on a request may find it in. */
const OPEN_STATES = ['AWAITING_CHANGES', 'VALIDATING', 'READY', 'ACCEPTING'] as const;

export async function getChangeRequest(db: Kysely<DB>, id: string): Promise<ChangeRequestRow> {
  return db
    .selectFrom('repository_change_requests')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

/** The request locked for update (in a transaction); with `workspaceId`, only one of that workspace. */
export async function lockChangeRequest(
  trx: Kysely<DB>,
  id: string,
  workspaceId?: string,
): Promise<ChangeRequestRow | undefined> {
  let query = trx.selectFrom('repository_change_requests').selectAll().where('id', '=', id);
  if (workspaceId !== undefined) query = query.where('workspace_id', '=', workspaceId);
  return query.forUpdate().executeTakeFirst();
}

/** Closes a request by a caller's word (REJECTED with a reason, WITHDRAWN) or its time (EXPIRED). */
export async function closeChangeRequest(
  trx: Kysely<DB>,
  id: string,
  state: 'REJECTED' | 'WITHDRAWN' | 'EXPIRED',
  reason: string | null,
): Promise<ChangeRequestRow> {
  return trx
    .updateTable('repository_change_requests')
    .set((eb) => ({
      state,
      rejection_reason: reason,
      updated_at: new Date(),
      version: eb('version', '+', 1),
    }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Expires a request whose time is up, unless it moved out of the editable states meanwhile. */
export async function expireChangeRequest(db: Kysely<DB>, id: string): Promise<ChangeRequestRow | undefined> {
  return db
    .updateTable('repository_change_requests')
    .set((eb) => ({ state: 'EXPIRED', updated_at: new Date(), version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('state', 'in', [...EDITABLE_STATES])
    .returningAll()
    .executeTakeFirst();
}

/** :accept began: the request is validated and merged by a render. */
export async function markValidating(trx: Kysely<DB>, id: string): Promise<void> {
  await trx
    .updateTable('repository_change_requests')
    .set((eb) => ({
      state: 'VALIDATING',
      failure: null,
      updated_at: new Date(),
      version: eb('version', '+', 1),
    }))
    .where('id', '=', id)
    .execute();
}

/** The operation reporting on the request's accept. */
export async function setChangeRequestOperation(
  trx: Kysely<DB>,
  id: string,
  operationId: string,
): Promise<void> {
  await trx
    .updateTable('repository_change_requests')
    .set({ operation_id: operationId })
    .where('id', '=', id)
    .execute();
}

/** After a push: READY when the fork has changes, AWAITING_CHANGES when it has none. */
export async function recordPush(
  trx: Kysely<DB>,
  id: string,
  changed: { ready: boolean; changeType: ChangeType },
): Promise<ChangeRequestRow> {
  return trx
    .updateTable('repository_change_requests')
    .set((eb) => ({
      state: changed.ready ? 'READY' : 'AWAITING_CHANGES',
      change_type: changed.changeType,
      updated_at: new Date(),
      version: eb('version', '+', 1),
    }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A render under review committed to the fork: the request awaiting it is READY. */
export async function markReviewReady(
  trx: Kysely<DB>,
  id: string,
  changeType: ChangeType,
  now: Date,
): Promise<ChangeRequestRow | undefined> {
  return trx
    .updateTable('repository_change_requests')
    .set((eb) => ({
      state: 'READY',
      change_type: changeType,
      updated_at: now,
      version: eb('version', '+', 1),
    }))
    .where('id', '=', id)
    .where('state', '=', 'AWAITING_CHANGES')
    .returningAll()
    .executeTakeFirst();
}

/** Its render deployed: the request is ACCEPTED. */
export async function markAccepted(trx: Kysely<DB>, id: string, now: Date): Promise<void> {
  await trx
    .updateTable('repository_change_requests')
    .set((eb) => ({
      state: 'ACCEPTED',
      accepted_at: now,
      failure: null,
      updated_at: now,
      version: eb('version', '+', 1),
    }))
    .where('id', '=', id)
    .execute();
}

/** Its render failed: an open request is FAILED (push a fix, accept again). */
export async function markFailed(
  trx: Kysely<DB>,
  id: string,
  failure: RenderFailure,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('repository_change_requests')
    .set((eb) => ({
      state: 'FAILED',
      failure: JSON.stringify(failure),
      updated_at: now,
      version: eb('version', '+', 1),
    }))
    .where('id', '=', id)
    .where('state', 'in', [...OPEN_STATES])
    .execute();
}

/**
 * Its render was cancelled: a request being accepted returns to READY; one whose render waited for
 * review is WITHDRAWN.
 */
export async function releaseChangeRequest(trx: Kysely<DB>, id: string, now: Date): Promise<void> {
  const current = await trx
    .selectFrom('repository_change_requests')
    .select('state')
    .where('id', '=', id)
    .executeTakeFirst();
  const accepting = current?.state === 'VALIDATING' || current?.state === 'ACCEPTING';
  await trx
    .updateTable('repository_change_requests')
    .set((eb) => ({
      state: accepting ? 'READY' : 'WITHDRAWN',
      updated_at: now,
      version: eb('version', '+', 1),
    }))
    .where('id', '=', id)
    .where('state', 'in', [...OPEN_STATES])
    .execute();
}

/** The install was deleted: its open requests are WITHDRAWN. */
export async function withdrawInstallChangeRequests(
  db: Kysely<DB>,
  installId: string,
  now: Date,
): Promise<void> {
  await db
    .updateTable('repository_change_requests')
    .set((eb) => ({ state: 'WITHDRAWN', updated_at: now, version: eb('version', '+', 1) }))
    .where('state', 'in', [...EDITABLE_STATES])
    .where(
      'parent_repository_id',
      'in',
      db.selectFrom('installs').select('repository_id').where('id', '=', installId),
    )
    .execute();
}

/** The request's state and the git directory of its fork (undefined when there is no such request). */
export async function changeRequestFork(
  db: Kysely<DB>,
  id: string,
): Promise<{ state: ChangeRequestRow['state']; storage: string } | undefined> {
  return db
    .selectFrom('repository_change_requests')
    .innerJoin('repositories', 'repositories.id', 'repository_change_requests.fork_repository_id')
    .select(['repository_change_requests.state', 'repositories.storage'])
    .where('repository_change_requests.id', '=', id)
    .executeTakeFirst();
}
