/** Kysely row types of the event log tables (src/db/migrations/0004_agents.sql). */
import type { ColumnType } from 'kysely';

export const EVENT_TYPES = [
  'message.created',
  'widget.created',
  'artifact.created',
  'progress.updated',
  'execution_environment.started',
  'execution_environment.stopped',
  'execution_environment.resumed',
  'execution_environment.deleted',
  'execution_environment.failed',
  'handoff_summary.created',
  'turn.cancelled',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type AgentEventPositionsTable = {
  workspace_id: string;
  last_position: ColumnType<number, number | undefined, number>;
};

export type AgentEventsTable = {
  id: string;
  workspace_id: string;
  position: number;
  agent_id: string;
  session_id: string;
  turn_id: string;
  sequence: number;
  type: EventType;
  data: ColumnType<unknown, string | null, never>;
  parent_session_id: string | null;
  forked_from_session_id: string | null;
  spawned_by_turn_id: string | null;
  agent_role: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
};

export type EventTables = { agent_event_positions: AgentEventPositionsTable; agent_events: AgentEventsTable };
