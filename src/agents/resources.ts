/**
 * Row → resource mappers of the agents family (`to<Resource>`): Unix-second timestamps, `etag` = the
 * row's version, `organization_id: null` (Atoll has no organizations).
 */
import type { Selectable } from 'kysely';
import { unixSeconds, unixSecondsOrNull } from '../db/time.ts';
import { etagOf } from '../http/etag.ts';
import type { ApprovalRequest } from './approval-schemas.ts';
import type { ApprovalRequestRow } from './approval-store.ts';
import type { AgentPreference } from './preference-schemas.ts';
import type { PreferenceRow } from './preference-store.ts';
import type { Agent, AgentAmbientConfig, AgentCapability, AgentModelPolicy } from './schemas.ts';
import type { AgentSession } from './session-schemas.ts';
import type { AgentSessionsTable, AgentsTable } from './tables.ts';
import type { AgentTurn } from './turn-schemas.ts';
import type { TurnRow } from './turn-store.ts';

export function toAgent(row: Selectable<AgentsTable>): Agent {
  return {
    id: row.id,
    workspace_id: row.workspace_id,
    organization_id: null,
    name: row.name,
    description: row.description,
    instructions: row.instructions,
    state: row.state,
    origin: row.origin as Agent['origin'],
    capabilities: row.capabilities as AgentCapability[],
    // Both were validated against these schemas when they were written.
    ambient: row.ambient as AgentAmbientConfig,
    model_policy: row.model_policy as AgentModelPolicy,
    created_by: row.created_by,
    usage_summary: row.usage_summary,
    runtime_deployment_id: row.runtime_deployment_id,
    created_at: unixSeconds(row.created_at),
    updated_at: unixSeconds(row.updated_at),
    etag: etagOf(row.version),
  };
}

export function toAgentSession(row: Selectable<AgentSessionsTable>): AgentSession {
  return {
    id: row.id,
    workspace_id: row.workspace_id,
    organization_id: null,
    agent_id: row.agent_id,
    state: row.state,
    origin: row.origin as AgentSession['origin'],
    title: row.title,
    communication_profile: row.communication_profile as AgentSession['communication_profile'],
    created_by: row.created_by,
    parent_session_id: row.parent_session_id,
    forked_from_session_id: row.forked_from_session_id,
    spawned_by_turn_id: row.spawned_by_turn_id,
    agent_role: row.agent_role,
    current_sandbox_id: row.current_sandbox_id,
    last_event_cursor: row.last_event_cursor,
    events_retained_until: unixSeconds(row.events_retained_until),
    filesystem_retained_until: unixSeconds(row.filesystem_retained_until),
    filesystem_pinned: row.filesystem_pinned,
    retention_reason: row.retention_reason as AgentSession['retention_reason'],
    usage_summary: row.usage_summary,
    created_at: unixSeconds(row.created_at),
    updated_at: unixSeconds(row.updated_at),
    etag: etagOf(row.version),
  };
}

export function toAgentTurn(row: TurnRow): AgentTurn {
  return {
    id: row.id,
    workspace_id: row.workspace_id,
    organization_id: null,
    agent_id: row.agent_id,
    session_id: row.session_id,
    state: row.state,
    origin: row.origin as AgentTurn['origin'],
    input: row.input,
    runtime_hint: row.runtime_hint as AgentTurn['runtime_hint'],
    model: row.model,
    created_by: row.created_by,
    started_at: unixSecondsOrNull(row.started_at),
    completed_at: unixSecondsOrNull(row.completed_at),
    runtime_decision: row.runtime_decision as AgentTurn['runtime_decision'],
    decision_reason: row.decision_reason,
    resolved_execution_mode: row.resolved_execution_mode as AgentTurn['resolved_execution_mode'],
    admission_error: row.admission_error,
    usage_summary: row.usage_summary,
    failure: row.failure,
    created_at: unixSeconds(row.created_at),
    updated_at: unixSeconds(row.updated_at),
    etag: etagOf(row.version),
  };
}

export function toApprovalRequest(row: ApprovalRequestRow): ApprovalRequest {
  return {
    id: row.id,
    workspace_id: row.workspace_id,
    agent_id: row.agent_id,
    session_id: row.session_id,
    turn_id: row.turn_id,
    state: row.state,
    title: row.title,
    summary: row.summary,
    actions: row.actions,
    created_by: row.created_by,
    reason: row.reason,
    resolved_by: row.resolved_by,
    resolved_at: unixSecondsOrNull(row.resolved_at),
    created_at: unixSeconds(row.created_at),
    updated_at: unixSeconds(row.updated_at),
    etag: etagOf(row.version),
  };
}

export function toAgentPreference(row: PreferenceRow): AgentPreference {
  return {
    id: row.id,
    workspace_id: row.workspace_id,
    user_id: row.user_id,
    communication_profile: row.communication_profile,
    learning_mode_enabled: row.learning_mode_enabled,
    seen_concepts: row.seen_concepts,
    created_at: unixSeconds(row.created_at),
    updated_at: unixSeconds(row.updated_at),
    etag: etagOf(row.version),
  };
}
