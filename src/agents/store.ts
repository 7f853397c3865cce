/**
 * SQL for agents and their sessions. Every query is scoped to a workspace, so another workspace's rows
 * are never seen. A reader that is about to create work under an agent or session may hold its row
 * with FOR SHARE until commit: archiving (an UPDATE) then waits, so nothing is created under a row that
 * is being archived. jsonb values are passed as JSON text.
 */
import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { PageRequest } from '../http/pagination.ts';
import type { AgentSessionsTable, AgentsTable, AgentState } from './tables.ts';

export type AgentRow = Selectable<AgentsTable>;
export type SessionRow = Selectable<AgentSessionsTable>;

export type NewAgent = Omit<Insertable<AgentsTable>, 'seq' | 'version' | 'created_at' | 'updated_at'>;
export type NewSession = Omit<Insertable<AgentSessionsTable>, 'seq' | 'version'>;

/** Fields a PATCH may change (jsonb as JSON text). */
export type AgentPatch = Pick<
  Updateable<AgentsTable>,
  | 'name'
  | 'description'
  | 'instructions'
  | 'capabilities'
  | 'ambient'
  | 'model_policy'
  | 'runtime_deployment_id'
>;

export type Retention = Pick<
  Updateable<AgentSessionsTable>,
  'events_retained_until' | 'filesystem_retained_until' | 'filesystem_pinned' | 'retention_reason'
>;

/** Whether to hold the row read until commit (see the module header). */
export type ReadLock = 'share' | undefined;

export async function insertAgent(db: Kysely<DB>, row: NewAgent): Promise<AgentRow> {
  return db.insertInto('agents').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findAgent(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
  lock?: ReadLock,
): Promise<AgentRow | undefined> {
  const query = db
    .selectFrom('agents')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id);
  return (lock === 'share' ? query.forShare() : query).executeTakeFirst();
}

/** A page of the workspace's agents (archived ones included), newest first. */
export async function listAgents(
  db: Kysely<DB>,
  workspaceId: string,
  page: PageRequest,
): Promise<AgentRow[]> {
  let query = db.selectFrom('agents').selectAll().where('workspace_id', '=', workspaceId);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

/** Applies a patch if the agent is still enabled at `version`; undefined when it is not. */
export async function updateAgent(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
  version: number,
  patch: AgentPatch,
): Promise<AgentRow | undefined> {
  return db
    .updateTable('agents')
    .set((eb) => ({ ...patch, version: eb('version', '+', 1), updated_at: new Date() }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('version', '=', version)
    .where('state', '=', 'ENABLED')
    .returningAll()
    .executeTakeFirst();
}

/** Moves the agent to `state` unless it is there already; undefined when nothing changed. */
export async function setAgentState(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
  state: AgentState,
): Promise<AgentRow | undefined> {
  return db
    .updateTable('agents')
    .set((eb) => ({ state, version: eb('version', '+', 1), updated_at: new Date() }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('state', '!=', state)
    .returningAll()
    .executeTakeFirst();
}

export async function insertSession(db: Kysely<DB>, row: NewSession): Promise<SessionRow> {
  return db.insertInto('agent_sessions').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findSession(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
  lock?: ReadLock,
): Promise<SessionRow | undefined> {
  const query = db
    .selectFrom('agent_sessions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id);
  return (lock === 'share' ? query.forShare() : query).executeTakeFirst();
}

export type SessionFilters = {
  agentId?: string | undefined;
  parentSessionId?: string | undefined;
  forkedFromSessionId?: string | undefined;
  spawnedByTurnId?: string | undefined;
  agentRole?: string | undefined;
};

/** A page of the workspace's sessions (archived ones included), newest first. */
export async function listSessions(
  db: Kysely<DB>,
  workspaceId: string,
  filters: SessionFilters,
  page: PageRequest,
): Promise<SessionRow[]> {
  let query = db.selectFrom('agent_sessions').selectAll().where('workspace_id', '=', workspaceId);
  if (filters.agentId !== undefined) query = query.where('agent_id', '=', filters.agentId);
  if (filters.parentSessionId !== undefined)
    query = query.where('parent_session_id', '=', filters.parentSessionId);
  if (filters.forkedFromSessionId !== undefined)
    query = query.where('forked_from_session_id', '=', filters.forkedFromSessionId);
  if (filters.spawnedByTurnId !== undefined)
    query = query.where('spawned_by_turn_id', '=', filters.spawnedByTurnId);
  if (filters.agentRole !== undefined) query = query.where('agent_role', '=', filters.agentRole);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

/** Archives the session unless it is archived already; undefined when nothing changed. */
export async function archiveSession(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
): Promise<SessionRow | undefined> {
  return db
    .updateTable('agent_sessions')
    .set((eb) => ({ state: 'ARCHIVED' as const, version: eb('version', '+', 1), updated_at: new Date() }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('state', '!=', 'ARCHIVED')
    .returningAll()
    .executeTakeFirst();
}

/** Replaces the session's retention; undefined when the workspace has no such session. */
export async function setSessionRetention(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
  retention: Retention,
): Promise<SessionRow | undefined> {
  return db
    .updateTable('agent_sessions')
    .set((eb) => ({ ...retention, version: eb('version', '+', 1), updated_at: new Date() }))
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** The workspace's agent sessions that have not ended, counted by state (dashboards' platform metrics). */
export async function countOpenSessions(
  db: Kysely<DB>,
  workspaceId: string,
): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('agent_sessions')
    .select(['state', sql<number>`count(*)::int`.as('count')])
    .where('workspace_id', '=', workspaceId)
    .where('state', 'in', ['ACTIVE', 'WAITING_FOR_INPUT', 'WAITING_FOR_PERMISSION'])
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.count)]));
}
