/**
 * Agent session schemas (Akua `AgentSession`, `AgentSessionList`, the create body and
 * `SetAgentSessionRetentionBody`), and the origin enum that sessions and turns share.
 */
import { z } from '@hono/zod-openapi';
import { listOf, UnixSeconds } from '../http/schemas.ts';
import { AgentUsageSummary, Id54 } from './schemas.ts';

/** Where a session or turn came from. */
export const WorkOrigin = z.enum(['DASHBOARD', 'API', 'MCP', 'ACP', 'AMBIENT', 'SYSTEM']);

export const SessionState = z.enum([
  'ACTIVE',
  'WAITING_FOR_INPUT',
  'WAITING_FOR_PERMISSION',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'ARCHIVED',
]);

export const CommunicationProfile = z.enum(['BEGINNER', 'INTERMEDIATE', 'ADVANCED', 'EXPERT', 'ADAPTIVE']);

export const RetentionReason = z.enum([
  'SESSION_ACTIVE',
  'PINNED',
  'POLICY',
  'TERMINAL_GRACE',
  'MANUAL_DELETE',
]);

export const AgentSession = z
  .object({
    id: Id54.openapi({ example: 'ags_j572abc123def456' }),
    workspace_id: z.string().min(1).max(53),
    organization_id: Id54.nullable(),
    agent_id: Id54,
    state: SessionState,
    origin: WorkOrigin,
    title: z.string().nullable(),
    communication_profile: CommunicationProfile,
    created_by: z.string(),
    parent_session_id: Id54.nullable(),
    forked_from_session_id: Id54.nullable(),
    spawned_by_turn_id: Id54.nullable(),
    agent_role: z.string().nullable(),
    current_sandbox_id: Id54.nullable(),
    last_event_cursor: z.string().nullable(),
    events_retained_until: UnixSeconds,
    filesystem_retained_until: UnixSeconds,
    filesystem_pinned: z.boolean(),
    retention_reason: RetentionReason.openapi({
      description: 'Atoll extension: why the retention is what it is (set by :setRetention).',
    }),
    usage_summary: AgentUsageSummary,
    created_at: UnixSeconds,
    updated_at: UnixSeconds,
    etag: z.string(),
  })
  .openapi('AgentSession');
export type AgentSession = z.infer<typeof AgentSession>;

export const AgentSessionList = listOf(AgentSession, 'AgentSessionList');

export const CreateAgentSessionBody = z
  .strictObject({
    agent_id: Id54,
    title: z.string().min(1).max(200).optional(),
    communication_profile: CommunicationProfile.default('ADAPTIVE'),
    parent_session_id: Id54.optional(),
    forked_from_session_id: Id54.optional(),
    spawned_by_turn_id: Id54.optional(),
    agent_role: z.string().min(1).max(80).optional(),
  })
  .openapi('CreateAgentSessionBody');
export type CreateAgentSessionBody = z.infer<typeof CreateAgentSessionBody>;

/** 9999-12-31T23:59:59Z: later instants are not dates the store (or JavaScript) can hold. */
const LATEST = 253_402_300_799;
const RetainedUntil = UnixSeconds.max(LATEST, `must be a Unix time in seconds no later than ${LATEST}`);

export const SetAgentSessionRetentionBody = z
  .strictObject({
    events_retained_until: RetainedUntil,
    filesystem_retained_until: RetainedUntil,
    filesystem_pinned: z.boolean(),
    retention_reason: RetentionReason,
  })
  .openapi('SetAgentSessionRetentionBody');
export type SetAgentSessionRetentionBody = z.infer<typeof SetAgentSessionRetentionBody>;

/** Filters of GET /v1/agent_sessions, named as in the query. */
export const SessionFilterQuery = z.object({
  agent: Id54.optional().openapi({ description: 'Atoll extension: only sessions of this agent.' }),
  parent_session: Id54.optional(),
  forked_from_session: Id54.optional(),
  spawned_by_turn: Id54.optional(),
  agent_role: z.string().min(1).max(80).optional(),
});
