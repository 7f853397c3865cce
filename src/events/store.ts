/**
 * SQL of the event log: the append (one database function), pages after a position, the tail of a
 * workspace, idempotent replays.
 */
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { EventRowLike } from './resources.ts';
import type { EventType } from './tables.ts';
import type { TurnState } from './turn-lifecycle.ts';

/** Which events a reader wants; every filter is a column of the event. */
export type EventFilter = {
  session?: string | undefined;
  turn?: string | undefined;
  parentSession?: string | undefined;
  forkedFromSession?: string | undefined;
  spawnedByTurn?: string | undefined;
  agentRole?: string | undefined;
};

export type EventRow = EventRowLike & {
  parent_session_id: string | null;
  forked_from_session_id: string | null;
  spawned_by_turn_id: string | null;
  agent_role: string | null;
};

const COLUMNS = [
  'id',
  'workspace_id',
  'agent_id',
  'session_id',
  'turn_id',
  'sequence',
  'position',
  'type',
  'created_at',
  'data',
  'parent_session_id',
  'forked_from_session_id',
  'spawned_by_turn_id',
  'agent_role',
] as const;

function filtered<O>(
  query: SelectQueryBuilder<DB, 'agent_events', O>,
  filter: EventFilter,
): SelectQueryBuilder<DB, 'agent_events', O> {
  let q = query;
  if (filter.session !== undefined) q = q.where('session_id', '=', filter.session);
  if (filter.turn !== undefined) q = q.where('turn_id', '=', filter.turn);
  if (filter.parentSession !== undefined) q = q.where('parent_session_id', '=', filter.parentSession);
  if (filter.forkedFromSession !== undefined)
    q = q.where('forked_from_session_id', '=', filter.forkedFromSession);
  if (filter.spawnedByTurn !== undefined) q = q.where('spawned_by_turn_id', '=', filter.spawnedByTurn);
  if (filter.agentRole !== undefined) q = q.where('agent_role', '=', filter.agentRole);
  return q;
}

/** Whether an event passes a filter (the same rule as the SQL above, for events fanned out in memory). */
export function matches(event: EventRow, filter: EventFilter): boolean {
  return (
    (filter.session === undefined || event.session_id === filter.session) &&
    (filter.turn === undefined || event.turn_id === filter.turn) &&
    (filter.parentSession === undefined || event.parent_session_id === filter.parentSession) &&
    (filter.forkedFromSession === undefined || event.forked_from_session_id === filter.forkedFromSession) &&
    (filter.spawnedByTurn === undefined || event.spawned_by_turn_id === filter.spawnedByTurn) &&
    (filter.agentRole === undefined || event.agent_role === filter.agentRole)
  );
}

/**
 * One read of the log: up to `limit` rows oldest first, `through` the position up to which every matching
 * event has been returned, and `more` whether the page was full (more may follow `through`). A reader
 * resumes from `through`, and keeps reading while `more`: the page size and the rule to continue come
 * from the same read, so they cannot disagree.
 */
export type EventPage = { rows: EventRow[]; through: number; more: boolean };

/**
 * Up to `limit` matching events after `after`, oldest first, read below the workspace's last position at
 * the time of reading (the horizon). A short page has considered every event up to the horizon, so
 * `through` is the horizon; a full page only up to its last row.
 */
export async function readAfter(
  db: Kysely<DB>,
  workspaceId: string,
  filter: EventFilter,
  after: number,
  limit: number,
): Promise<EventPage> {
  if (limit < 1) throw new RangeError('readAfter needs a limit of at least 1');
  const horizon = await db
    .selectFrom('agent_event_positions')
    .select('last_position')
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  const last = horizon?.last_position ?? 0;
  if (last <= after) return { rows: [], through: after, more: false };
  const rows = (await filtered(
    db
      .selectFrom('agent_events')
      .select(COLUMNS)
      .where('workspace_id', '=', workspaceId)
      .where('position', '>', after)
      .where('position', '<=', last),
    filter,
  )
    .orderBy('position')
    .limit(limit)
    .execute()) as EventRow[];
  const more = rows.length === limit;
  return { rows, through: more ? rows[rows.length - 1]!.position : last, more };
}

/**
 * The workspace's events after `after`, whatever their session (the tail that feeds live streams), and
 * whether the page was full. Positions become visible in order (the append holds the position row until
 * commit), so the rows after `after` are always the next ones, without holes.
 */
export async function readTail(
  db: Kysely<DB>,
  workspaceId: string,
  after: number,
  limit: number,
): Promise<{ rows: EventRow[]; more: boolean }> {
  const rows = (await db
    .selectFrom('agent_events')
    .select(COLUMNS)
    .where('workspace_id', '=', workspaceId)
    .where('position', '>', after)
    .orderBy('position')
    .limit(limit)
    .execute()) as EventRow[];
  return { rows, more: rows.length === limit };
}

/** The arguments of `atoll_append_event`, JSON values already serialised. */
export type AppendArgs = {
  workspaceId: string;
  turnId: string;
  id: string;
  type: EventType;
  data: string | null;
  signal: string;
  progress: string | null;
  failure: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  approval: string | null;
  notify: boolean;
};

/** What `atoll_append_event` answers: the outcome, the turn's state and, when there is one, the event. */
export type AppendRow = {
  outcome: 'appended' | 'replayed' | 'conflict' | 'terminal' | 'not_found';
  turn_state: TurnState | null;
  event_id: string | null;
  agent_id: string | null;
  session_id: string | null;
  sequence: number | null;
  event_position: number | null;
  event_type: EventType | null;
  event_data: unknown;
  created_at: Date | null;
};

/**
 * Appends one event through `atoll_append_event` (src/db/migrations/0004_agents.sql): one statement
 * that locks the turn, answers replays, refuses ended turns, moves the turn, takes the session's next
 * sequence and the workspace's next position, and inserts the event (and the approval request an
 * approval card creates).
 */
export async function appendEventRow(executor: Kysely<DB>, args: AppendArgs): Promise<AppendRow> {
  const { rows } = await sql<AppendRow>`
    SELECT * FROM atoll_append_event(${args.workspaceId}, ${args.turnId}, ${args.id}, ${args.type},
      ${args.data}::jsonb, ${args.signal}, ${args.progress},
      ${args.failure}::jsonb, ${args.idempotencyKey},
      ${args.requestHash}, ${args.approval}::jsonb, ${args.notify})`.execute(executor);
  return rows[0]!;
}
