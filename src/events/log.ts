/**
 * The append-only agent event log. An event is appended in one statement (a database function), alone
 * or inside the caller's transaction: it takes the workspace's position (locking its row until commit,
 * so positions become visible in order) and the session's next sequence (1, 2, 3… without gaps), and
 * moves the turn's state. Subscribers are woken after commit through the event bus; the stored log
 * stays the truth.
 */
import type { Kysely, Transaction } from 'kysely';
import { newId } from '../db/ids.ts';
import type { DB } from '../db/schema.ts';
import type { EventBus } from './bus.ts';
import { positionOf, toAgentEvent } from './resources.ts';
import type { AgentEvent } from './schemas.ts';
import { appendEventRow } from './store.ts';
import type { EventType } from './tables.ts';
import { signalArguments, type TurnSignal, type TurnState } from './turn-lifecycle.ts';

/**
 * One event for a turn, with what it tells the turn (turn-lifecycle.ts); `id` may be chosen
 * ahead, to reference the event from elsewhere. An approval card event may carry the approval request it
 * creates in the same statement.
 */
export type NewEvent = {
  id?: string;
  workspaceId: string;
  turnId: string;
  type: EventType;
  data: unknown;
  signal: TurnSignal;
  /** Recorded on the turn when the signal fails it. */
  failure?: { code: string; message: string };
  idempotencyKey?: string;
  requestHash?: string;
  approval?: { id: string; title: string; summary: string; actions: unknown[]; createdBy: string };
};

/** What appending came to: a new event, a replay of the idempotency key, or why there is none. */
export type AppendOutcome =
  | { outcome: 'appended' | 'replayed'; event: AgentEvent; turnState: TurnState }
  | { outcome: 'conflict' }
  | { outcome: 'terminal'; turnState: TurnState }
  | { outcome: 'not_found' };

/**
 * Appends one event in one statement (`appendEventRow`, store.ts) and says what came of it. Inside a
 * transaction the locks last until its commit; alone, until the statement ends. With `notify`, Postgres
 * sends a NOTIFY at commit for other processes.
 */
export async function appendEvent(
  executor: Kysely<DB>,
  event: NewEvent,
  notify: boolean,
): Promise<AppendOutcome> {
  const { signal, progress } = signalArguments(event.signal);
  const approval = event.approval
    ? JSON.stringify({
        id: event.approval.id,
        title: event.approval.title,
        summary: event.approval.summary,
        actions: event.approval.actions,
        created_by: event.approval.createdBy,
      })
    : null;
  const row = await appendEventRow(executor, {
    workspaceId: event.workspaceId,
    turnId: event.turnId,
    id: event.id ?? newId('evt'),
    type: event.type,
    data: event.data === undefined ? null : JSON.stringify(event.data),
    signal,
    progress,
    failure: event.failure ? JSON.stringify(event.failure) : null,
    idempotencyKey: event.idempotencyKey ?? null,
    requestHash: event.requestHash ?? null,
    approval,
    notify,
  });
  switch (row.outcome) {
    case 'appended':
    case 'replayed':
      return {
        outcome: row.outcome,
        turnState: row.turn_state!,
        event: toAgentEvent({
          id: row.event_id!,
          workspace_id: event.workspaceId,
          agent_id: row.agent_id!,
          session_id: row.session_id!,
          turn_id: event.turnId,
          sequence: row.sequence!,
          position: row.event_position!,
          type: row.event_type!,
          created_at: row.created_at!,
          data: row.event_data,
        }),
      };
    case 'terminal':
      return { outcome: 'terminal', turnState: row.turn_state! };
    case 'conflict':
    case 'not_found':
      return { outcome: row.outcome };
    default: {
      const never: never = row.outcome;
      throw new Error(`unknown append outcome ${String(never)}`);
    }
  }
}

export type Append = (event: NewEvent) => Promise<AppendOutcome>;

export type EventLog = {
  /** Appends one event in a statement of its own and wakes the workspace's subscribers. */
  append: Append;
  /**
   * Runs `fn` in a transaction in which `append` adds events (after the caller's own writes, which may
   * lock the turn first); once it commits, subscribers of the workspaces written to are woken.
   */
  transaction<T>(fn: (trx: Transaction<DB>, append: Append) => Promise<T>): Promise<T>;
  readonly bus: EventBus;
};

export function createEventLog(db: Kysely<DB>, bus: EventBus, options: { notify: boolean }): EventLog {
  const publish = (workspaceId: string, outcome: AppendOutcome) => {
    if (outcome.outcome === 'appended') bus.publish(workspaceId, positionOf(outcome.event.cursor)!);
  };
  return {
    bus,
    async append(event) {
      const outcome = await appendEvent(db, event, options.notify);
      publish(event.workspaceId, outcome);
      return outcome;
    },
    async transaction(fn) {
      const appended: Array<[string, AppendOutcome]> = [];
      const result = await db.transaction().execute((trx) =>
        fn(trx, async (event) => {
          const outcome = await appendEvent(trx, event, options.notify);
          appended.push([event.workspaceId, outcome]);
          return outcome;
        }),
      );
      for (const [workspaceId, outcome] of appended) publish(workspaceId, outcome);
      return result;
    },
  };
}
