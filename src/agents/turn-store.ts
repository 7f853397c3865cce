/**
 * SQL for agent turns, scoped to a workspace. A turn's state changes by its events (the rules are in
 * src/events/turn-lifecycle.ts); every writer of a turn locks its row first (`lockTurn`).
 */
import { sql, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { signalArguments, type TurnSignal } from '../events/turn-lifecycle.ts';
import type { PageRequest } from '../http/pagination.ts';
import type { AgentTurnsTable } from './tables.ts';

export type TurnRow = Selectable<AgentTurnsTable>;

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

/** Locks and returns the workspace's turn (undefined when it has none with this id). */
export async function lockTurn(
  trx: Transaction<DB>,
  workspaceId: string,
  turnId: string,
): Promise<TurnRow | undefined> {
  return trx
    .selectFrom('agent_turns')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', turnId)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Moves a locked turn on a signal through `atoll_move_turn` (no write when its state stays) and returns
 * it as it is now.
 */
export async function moveTurn(trx: Transaction<DB>, turn: TurnRow, signal: TurnSignal): Promise<TurnRow> {
  const args = signalArguments(signal);
  const { rows } =
    await sql<TurnRow>`SELECT * FROM atoll_move_turn(${turn.id}, ${args.signal}, ${args.progress}, NULL)`.execute(
      trx,
    );
  return rows[0]!;
}

/** A runtime's answer to a turn, as recorded on it (turn-admission.ts). */
export type RuntimeDecision = {
  runtime_decision: 'ALLOWED' | 'DENIED';
  decision_reason: string;
  admission_error?: string;
};

/** Records the runtime's decision on a locked turn. */
export async function recordDecision(
  trx: Transaction<DB>,
  turnId: string,
  decision: RuntimeDecision,
): Promise<void> {
  await trx
    .updateTable('agent_turns')
    .set((eb) => ({ ...decision, version: eb('version', '+', 1), updated_at: new Date() }))
    .where('id', '=', turnId)
    .execute();
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
