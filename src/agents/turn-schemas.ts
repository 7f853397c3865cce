/**
 * Agent turn schemas (Akua `AgentTurn`, `AgentTurnList`, the submit body) and the body Atoll accepts
 * on :cancel (the spec gives that call no body; an optional reason is an Atoll extension).
 */
import { z } from '@hono/zod-openapi';
import { listOf, UnixSeconds } from '../http/schemas.ts';
import { AgentUsageSummary, Id54, RuntimeHint } from './schemas.ts';
import { WorkOrigin } from './session-schemas.ts';

export const TurnState = z.enum([
  'QUEUED',
  'RUNNING',
  'WAITING_FOR_INPUT',
  'WAITING_FOR_PERMISSION',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
]);

const CodeMessage = z.object({ code: z.string(), message: z.string() });

export const AgentTurn = z
  .object({
    id: Id54.openapi({ example: 'trn_j572abc123def456' }),
    workspace_id: z.string().min(1).max(53),
    organization_id: Id54.nullable(),
    agent_id: Id54,
    session_id: Id54,
    state: TurnState,
    origin: WorkOrigin,
    input: z.object({ type: z.enum(['message']), content: z.string() }),
    runtime_hint: RuntimeHint,
    model: z.string().nullable(),
    created_by: z.string(),
    started_at: UnixSeconds.nullable(),
    completed_at: UnixSeconds.nullable(),
    runtime_decision: z.enum(['ALLOWED', 'DENIED', 'APPROVAL_REQUIRED']).nullable(),
    decision_reason: z.string().nullable(),
    resolved_execution_mode: z.enum(['CODE_MODE', 'RETAINED_RUNTIME']).nullable(),
    admission_error: CodeMessage.nullable(),
    usage_summary: AgentUsageSummary,
    failure: CodeMessage.nullable(),
    created_at: UnixSeconds,
    updated_at: UnixSeconds,
    etag: z.string(),
  })
  .openapi('AgentTurn');
export type AgentTurn = z.infer<typeof AgentTurn>;

export const AgentTurnList = listOf(AgentTurn, 'AgentTurnList');

export const CreateAgentTurnBody = z
  .strictObject({
    session_id: Id54,
    message: z.string().min(1).max(50_000),
    runtime_hint: RuntimeHint.default('AUTO'),
  })
  .openapi('CreateAgentTurnBody');
export type CreateAgentTurnBody = z.infer<typeof CreateAgentTurnBody>;

export const CancelAgentTurnBody = z
  .strictObject({
    reason: z
      .string()
      .min(1)
      .max(2000)
      .optional()
      .openapi({ description: 'Why the turn is cancelled; recorded in the turn.cancelled event.' }),
  })
  .openapi('CancelAgentTurnBody');
export type CancelAgentTurnBody = z.infer<typeof CancelAgentTurnBody>;
