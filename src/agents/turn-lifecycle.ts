/**
 * How a turn's state follows its events. The rules live in one place, the database functions
 * `atoll_next_turn_state` and `atoll_move_turn` (src/db/migrations/0004_agents.sql), used by the event
 * append (which moves the turn in the same statement) and by `moveTurn` here:
 *
 *   any event into a QUEUED turn                    → RUNNING (started_at set)
 *   progress RUNNING | WAITING | COMPLETED | FAILED  → RUNNING | WAITING_FOR_INPUT | COMPLETED | FAILED
 *   approval_request                                 → WAITING_FOR_PERMISSION
 *   the last pending approval resolved               → RUNNING (from WAITING_FOR_PERMISSION)
 *   cancel                                           → CANCELLED
 *   COMPLETED, FAILED and CANCELLED are terminal: nothing more may be emitted into the turn.
 *
 * The session follows its turns: WAITING_FOR_PERMISSION while any turn waits for permission, else
 * WAITING_FOR_INPUT while any waits for input, else ACTIVE (archived stays archived). Every writer of a
 * turn locks its row first (`lockTurn`, or the append itself), then the session, then the workspace's
 * event position, so concurrent writers cannot deadlock.
 */
import { sql, type Selectable, type Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AgentTurnsTable, TurnState } from './tables.ts';

export type TurnRow = Selectable<AgentTurnsTable>;

export const TERMINAL_TURN_STATES: readonly TurnState[] = ['COMPLETED', 'FAILED', 'CANCELLED'];

export function isTerminal(state: TurnState): boolean {
  return TERMINAL_TURN_STATES.includes(state);
}

/** What happened to a turn. */
export type TurnSignal =
  | { kind: 'activity' }
  | { kind: 'progress'; state: 'QUEUED' | 'RUNNING' | 'WAITING' | 'COMPLETED' | 'FAILED' }
  | { kind: 'approval_requested' }
  | { kind: 'approvals_resolved' }
  | { kind: 'cancel' };

/** A signal as the database functions take it. */
export function signalArguments(signal: TurnSignal): { signal: string; progress: string | null } {
  return { signal: signal.kind, progress: signal.kind === 'progress' ? signal.state : null };
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

/** Moves a locked turn on a signal (no write when its state stays) and returns it as it is now. */
export async function moveTurn(trx: Transaction<DB>, turn: TurnRow, signal: TurnSignal): Promise<TurnRow> {
  const args = signalArguments(signal);
  const { rows } =
    await sql<TurnRow>`SELECT * FROM atoll_move_turn(${turn.id}, ${args.signal}, ${args.progress}, NULL)`.execute(
      trx,
    );
  return rows[0]!;
}
