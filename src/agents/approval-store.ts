/**
 * SQL for approval requests. They are created by the event append itself (`atoll_append_event`, in the
 * statement that appends the approval card an approval_request intent becomes), and resolved here.
 * Writers hold the approval's turn lock first (`lockTurn`, turn-store.ts), then the approval rows.
 */
import type { Kysely, Selectable } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { PageRequest } from '../http/pagination.ts';
import type { ApprovalRequestsTable, ApprovalState } from './tables.ts';

export type ApprovalRequestRow = Selectable<ApprovalRequestsTable>;

/** A new (PENDING) approval request; `id` defaults to a fresh `apr_…`. */
/** The workspace's approval request; `forUpdate` locks it until commit (the caller holds its turn lock). */
export async function findApprovalRequest(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
  forUpdate = false,
): Promise<ApprovalRequestRow | undefined> {
  const query = db
    .selectFrom('approval_requests')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id);
  return (forUpdate ? query.forUpdate() : query).executeTakeFirst();
}

export type ApprovalFilters = {
  state?: ApprovalState | undefined;
  agentId?: string | undefined;
  sessionId?: string | undefined;
};

/** A page of the workspace's approval requests, newest first. */
export async function listApprovalRequests(
  db: Kysely<DB>,
  workspaceId: string,
  filters: ApprovalFilters,
  page: PageRequest,
): Promise<ApprovalRequestRow[]> {
  let query = db.selectFrom('approval_requests').selectAll().where('workspace_id', '=', workspaceId);
  if (filters.state !== undefined) query = query.where('state', '=', filters.state);
  if (filters.agentId !== undefined) query = query.where('agent_id', '=', filters.agentId);
  if (filters.sessionId !== undefined) query = query.where('session_id', '=', filters.sessionId);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

export type Resolution = {
  state: Exclude<ApprovalState, 'PENDING'>;
  reason: string | null;
  resolvedBy: string;
};

/** Resolves the (locked, PENDING) approval request and returns its new row. */
export async function resolveApprovalRequest(
  db: Kysely<DB>,
  id: string,
  resolution: Resolution,
): Promise<ApprovalRequestRow> {
  const now = new Date();
  return db
    .updateTable('approval_requests')
    .set((eb) => ({
      state: resolution.state,
      reason: resolution.reason,
      resolved_by: resolution.resolvedBy,
      resolved_at: now,
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('id', '=', id)
    .where('state', '=', 'PENDING')
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Rejects every PENDING approval request of a (locked) turn, e.g. when it is cancelled; returns how many. */
export async function rejectPendingApprovals(
  db: Kysely<DB>,
  turnId: string,
  resolution: Omit<Resolution, 'state'>,
): Promise<number> {
  const now = new Date();
  const result = await db
    .updateTable('approval_requests')
    .set((eb) => ({
      state: 'REJECTED' as const,
      reason: resolution.reason,
      resolved_by: resolution.resolvedBy,
      resolved_at: now,
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('turn_id', '=', turnId)
    .where('state', '=', 'PENDING')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Whether the turn still has PENDING approval requests. */
export async function hasPendingApprovals(db: Kysely<DB>, turnId: string): Promise<boolean> {
  const row = await db
    .selectFrom('approval_requests')
    .select('id')
    .where('turn_id', '=', turnId)
    .where('state', '=', 'PENDING')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** What the notice of an approval request tells: the request, who started its turn, its agent's name. */
export type ApprovalNoticeRow = Pick<
  ApprovalRequestRow,
  'id' | 'title' | 'summary' | 'agent_id' | 'session_id' | 'turn_id'
> & { turn_created_by: string; agent_name: string };

/** The workspace's approval request with its turn's creator and its agent's name. */
export async function findApprovalNotice(
  db: Kysely<DB>,
  workspaceId: string,
  approvalId: string,
): Promise<ApprovalNoticeRow | undefined> {
  return db
    .selectFrom('approval_requests as a')
    .innerJoin('agent_turns as t', 't.id', 'a.turn_id')
    .innerJoin('agents as g', 'g.id', 'a.agent_id')
    .select([
      'a.id',
      'a.title',
      'a.summary',
      'a.agent_id',
      'a.session_id',
      'a.turn_id',
      't.created_by as turn_created_by',
      'g.name as agent_name',
    ])
    .where('a.workspace_id', '=', workspaceId)
    .where('a.id', '=', approvalId)
    .executeTakeFirst();
}
