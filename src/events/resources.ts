/**
 * Row → resource mappers of the event log (`to<Resource>`), and the opaque cursor an AgentEvent carries.
 */
import { unixSeconds } from '../db/time.ts';
import type { AgentWorkConflict } from './conflict-schemas.ts';
import type { ConflictQuery, ConflictRow } from './conflict-store.ts';
import type { AgentEvent } from './schemas.ts';
import type { EventType } from './tables.ts';

/** The opaque cursor of a position: fixed-width, so cursors order the same as strings and as numbers. */
export function cursorOf(position: number): string {
  return `e${position.toString(16).padStart(12, '0')}`;
}

/** The position a cursor names, or undefined when it is not one of ours. */
export function positionOf(cursor: string): number | undefined {
  if (!/^e[0-9a-f]{12}$/.test(cursor)) return undefined;
  return Number.parseInt(cursor.slice(1), 16);
}

/** The columns of an event row that its resource shows. */
export type EventRowLike = {
  id: string;
  workspace_id: string;
  agent_id: string;
  session_id: string;
  turn_id: string;
  sequence: number;
  position: number;
  type: EventType;
  created_at: Date;
  data: unknown;
};

export function toAgentEvent(row: EventRowLike): AgentEvent {
  return {
    id: row.id,
    workspace_id: row.workspace_id,
    agent_id: row.agent_id,
    session_id: row.session_id,
    turn_id: row.turn_id,
    sequence: row.sequence,
    cursor: cursorOf(row.position),
    type: row.type,
    created_at: unixSeconds(row.created_at),
    data: row.data ?? null,
  };
}

/** A session's latest event that named the queried resource, as the conflict it reports. */
export function toAgentWorkConflict(row: ConflictRow, query: ConflictQuery): AgentWorkConflict {
  return {
    agent_id: row.agent_id,
    session_id: row.session_id,
    turn_id: row.turn_id,
    event_id: row.id,
    event_type: row.type,
    reason: `session ${row.session_id} of agent ${row.agent_id} named ${query.resource} ${query.id} in a ${row.type} event of turn ${row.turn_id}`,
    created_at: unixSeconds(row.created_at),
  };
}
