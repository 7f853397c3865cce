/** SQL for agent turns, scoped to a workspace. State changes of a turn go through turn-lifecycle.ts. */
import type { Insertable, Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { PageRequest } from '../http/pagination.ts';
import type { AgentTurnsTable } from './tables.ts';
import type { TurnRow } from './turn-lifecycle.ts';

export type { TurnRow };

export type NewTurn = Omit<Insertable<AgentTurnsTable>, 'seq' | 'version' | 'created_at' | 'updated_at'>;

export async function insertTurn(db: Kysely<DB>, row: NewTurn): Promise<TurnRow> {
  return db.insertInto('agent_turns').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The workspace's turn, unlocked (writers use `lockTurn`); undefined when it has none with this id. */
export async function findTurn(
  db: Kysely<DB>,
  workspaceId: string,
  turnId: string,
): Promise<TurnRow | undefined> {
  return db
    .selectFrom('agent_turns')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', turnId)
    .executeTakeFirst();
}

/** A page of the workspace's turns (of one session, when given), newest first. */
export async function listTurns(
  db: Kysely<DB>,
  workspaceId: string,
  filters: { sessionId?: string | undefined },
  page: PageRequest,
): Promise<TurnRow[]> {
  let query = db.selectFrom('agent_turns').selectAll().where('workspace_id', '=', workspaceId);
  if (filters.sessionId !== undefined) query = query.where('session_id', '=', filters.sessionId);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}
