/**
 * How a turn's state follows its events. The rules live in one place, the database functions
 * `atoll_next_turn_state` and `atoll_move_turn` (src/db/migrations/0004_agents.sql), used by the event
 * append (which moves the turn in the same statement) and by `moveTurn` (src/agents/turn-store.ts):
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
 * turn locks its row first (`lockTurn` of src/agents/turn-store.ts, or the append itself), then the
 * session, then the workspace's event position, so concurrent writers cannot deadlock.
 *
 * The turn rows belong to the agents family (src/agents/tables.ts); this module holds only the states
 * and signals, so that the event log depends on nothing in src/agents/.
 */

/** The states of a turn (the `state` column of `agent_turns`). */
export type TurnState =
  | 'QUEUED'
  | 'RUNNING'
  | 'WAITING_FOR_INPUT'
  | 'WAITING_FOR_PERMISSION'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELLED';

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
