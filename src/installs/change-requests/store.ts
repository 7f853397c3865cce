/** SQL for repository change requests and their push tokens. */
import type { Kysely, Selectable } from 'kysely';
import { newId } from '../../db/ids.ts';
import type { DB } from '../../db/schema.ts';
import type { PageRequest } from '../../http/pagination.ts';
import type { ChangeRequestState, ChangeRequestsTable, RemediationEvidence } from '../tables.ts';

export type ChangeRequestRow = Selectable<ChangeRequestsTable>;

/** States in which a change request's fork may still be pushed to and the request accepted. */
export const EDITABLE_STATES: readonly ChangeRequestState[] = ['AWAITING_CHANGES', 'READY', 'FAILED'];

/** How long a change request stays open unless the caller says otherwise. */
export const DEFAULT_TTL_SECONDS = 7 * 24 * 3600;

export type NewChangeRequest = {
  /** Chosen by the caller when the fork must exist before the row (default: new ids). */
  id?: string;
  forkRepositoryId?: string;
  workspaceId: string;
  parentRepositoryId: string;
  installId: string | null;
  baseSha: string;
  createdByType: 'user' | 'wizard' | 'agent';
  createdById: string;
  agentId?: string | null;
  remediationEvidence?: RemediationEvidence | null;
  renderId?: string | null;
  operationId?: string | null;
  expiresAt: Date;
};

/** Inserts a change request and the repository row of its fork (git storage named after the row). */
export async function insertChangeRequest(
  trx: Kysely<DB>,
  input: NewChangeRequest,
): Promise<ChangeRequestRow> {
  const id = input.id ?? newId('rcr');
  const forkId = input.forkRepositoryId ?? newId('repo');
  await trx
    .insertInto('repositories')
    .values({
      id: forkId,
      workspace_id: input.workspaceId,
      name: `${id}-fork`,
      purpose: 'repository_change_request',
      storage: forkId,
      install_id: input.installId,
      repository_change_request_id: id,
    })
    .execute();
  return trx
    .insertInto('repository_change_requests')
    .values({
      id,
      workspace_id: input.workspaceId,
      parent_repository_id: input.parentRepositoryId,
      fork_repository_id: forkId,
      branch: 'main',
      base_sha: input.baseSha,
      created_by_type: input.createdByType,
      created_by_id: input.createdById,
      agent_id: input.agentId ?? null,
      remediation_evidence: input.remediationEvidence ? JSON.stringify(input.remediationEvidence) : null,
      render_id: input.renderId ?? null,
      operation_id: input.operationId ?? null,
      expires_at: input.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findChangeRequest(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
): Promise<ChangeRequestRow | undefined> {
  return db
    .selectFrom('repository_change_requests')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findChangeRequestOfRender(
  db: Kysely<DB>,
  renderId: string,
): Promise<ChangeRequestRow | undefined> {
  return db
    .selectFrom('repository_change_requests')
    .selectAll()
    .where('render_id', '=', renderId)
    .executeTakeFirst();
}

export type ChangeRequestFilter = {
  state?: ChangeRequestState | undefined;
  parentRepositoryId?: string | undefined;
  forkRepositoryId?: string | undefined;
  agentId?: string | undefined;
};

export async function listChangeRequests(
  db: Kysely<DB>,
  workspaceId: string,
  filter: ChangeRequestFilter,
  page: PageRequest,
): Promise<ChangeRequestRow[]> {
  let query = db.selectFrom('repository_change_requests').selectAll().where('workspace_id', '=', workspaceId);
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.parentRepositoryId) query = query.where('parent_repository_id', '=', filter.parentRepositoryId);
  if (filter.forkRepositoryId) query = query.where('fork_repository_id', '=', filter.forkRepositoryId);
  if (filter.agentId) query = query.where('agent_id', '=', filter.agentId);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

/** Open change requests whose time is up. */
export async function expiredChangeRequests(db: Kysely<DB>, limit: number): Promise<ChangeRequestRow[]> {
  return db
    .selectFrom('repository_change_requests')
    .selectAll()
    .where('state', 'in', [...EDITABLE_STATES])
    .where('expires_at', '<=', new Date())
    .limit(limit)
    .execute();
}
