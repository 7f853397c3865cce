/**
 * Kysely row types of the agent tables (src/db/migrations/0004_agents.sql, 0008_agent_runtimes.sql,
 * 0012_agent_preferences_and_refs.sql).
 */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { TurnState } from '../events/turn-lifecycle.ts';

export type { TurnState };

type CreatedAt = ColumnType<Date, Date | undefined, never>;
type Timestamp = ColumnType<Date, Date | undefined, Date>;
type Json<T extends object> = JSONColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null | undefined, string | null>;

export type AgentState = 'ENABLED' | 'ARCHIVED';
export type SessionState =
  | 'ACTIVE'
  | 'WAITING_FOR_INPUT'
  | 'WAITING_FOR_PERMISSION'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELLED'
  | 'ARCHIVED';
export type ApprovalState = 'PENDING' | 'APPROVED' | 'REJECTED';

export type UsageSummary = {
  provider_cost_cents: number;
  provider_token_count: number;
  runtime_compute_seconds: number;
  runtime_storage_gb_hours: number;
  mcp_call_count: number;
  api_call_count: number;
  ambient_trigger_count: number;
};

export type AgentsTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  instructions: string;
  state: ColumnType<AgentState, AgentState | undefined, AgentState>;
  origin: ColumnType<string, string | undefined, string>;
  capabilities: Json<string[]>;
  ambient: NullableJson<Record<string, unknown>>;
  model_policy: Json<Record<string, unknown>>;
  usage_summary: Json<UsageSummary>;
  created_by: string;
  /** The job-mode agent deployment that runs the agent's turns (docs/agents.md "Deployment runtimes"). */
  runtime_deployment_id: ColumnType<string | null, string | null | undefined, string | null>;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
};

export type AgentSessionsTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  agent_id: string;
  state: ColumnType<SessionState, SessionState | undefined, SessionState>;
  origin: ColumnType<string, string | undefined, string>;
  title: string | null;
  communication_profile: ColumnType<string, string | undefined, string>;
  created_by: string;
  parent_session_id: string | null;
  forked_from_session_id: string | null;
  spawned_by_turn_id: string | null;
  agent_role: string | null;
  current_sandbox_id: string | null;
  last_sequence: ColumnType<number, number | undefined, number>;
  last_event_cursor: string | null;
  events_retained_until: Date;
  filesystem_retained_until: Date;
  filesystem_pinned: ColumnType<boolean, boolean | undefined, boolean>;
  retention_reason: ColumnType<string, string | undefined, string>;
  usage_summary: Json<UsageSummary>;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
};

export type AgentTurnsTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  agent_id: string;
  session_id: string;
  state: ColumnType<TurnState, TurnState | undefined, TurnState>;
  origin: ColumnType<string, string | undefined, string>;
  input: Json<{ type: 'message'; content: string }>;
  runtime_hint: ColumnType<string, string | undefined, string>;
  model: string | null;
  created_by: string;
  started_at: Date | null;
  completed_at: Date | null;
  runtime_decision: string | null;
  decision_reason: string | null;
  resolved_execution_mode: string | null;
  admission_error: NullableJson<{ code: string; message: string }>;
  usage_summary: Json<UsageSummary>;
  failure: NullableJson<{ code: string; message: string }>;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
};

export type ApprovalRequestsTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  agent_id: string;
  session_id: string;
  turn_id: string;
  event_id: string;
  state: ColumnType<ApprovalState, ApprovalState | undefined, ApprovalState>;
  title: string;
  summary: string;
  actions: Json<unknown[]>;
  reason: string | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  created_by: string;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
};

export type CommunicationProfile = 'BEGINNER' | 'INTERMEDIATE' | 'ADVANCED' | 'EXPERT' | 'ADAPTIVE';

/** One user's agent preferences in one workspace (docs/agent-catalog.md). */
export type AgentPreferencesTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  user_id: string;
  communication_profile: ColumnType<
    CommunicationProfile,
    CommunicationProfile | undefined,
    CommunicationProfile
  >;
  learning_mode_enabled: ColumnType<boolean, boolean | undefined, boolean>;
  seen_concepts: ColumnType<string[], string | undefined, string>;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
};

export type AgentTables = {
  agents: AgentsTable;
  agent_preferences: AgentPreferencesTable;
  agent_sessions: AgentSessionsTable;
  agent_turns: AgentTurnsTable;
  approval_requests: ApprovalRequestsTable;
};

/** Usage counters of a new agent, session or turn: nothing used yet. */
export const EMPTY_USAGE: UsageSummary = {
  provider_cost_cents: 0,
  provider_token_count: 0,
  runtime_compute_seconds: 0,
  runtime_storage_gb_hours: 0,
  mcp_call_count: 0,
  api_call_count: 0,
  ambient_trigger_count: 0,
};
