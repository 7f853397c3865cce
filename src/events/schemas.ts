/**
 * Event log schemas: the seven emit intents (closed, with the spec's limits), the AgentEvent resource,
 * its list, and the query of the list and the stream.
 */
import { z } from '@hono/zod-openapi';
import { listOf, MAX_PAGE_LIMIT, PageLimit, UnixSeconds } from '../http/schemas.ts';
import { EVENT_TYPES } from './tables.ts';

const Id = z.string().min(1).max(54);

const ResourceRef = z.strictObject({ resource: z.string().min(1).max(80), id: z.string().min(1).max(80) });

export const MessageIntent = z
  .strictObject({
    type: z.literal('message'),
    data: z.strictObject({
      role: z
        .enum(['assistant', 'system'])
        .default('assistant')
        .openapi({ description: 'Defaults to assistant.' }),
      content: z.string().min(1).max(50_000),
    }),
  })
  .openapi('EmitMessageIntent');

export const WidgetIntent = z
  .strictObject({
    type: z.literal('widget'),
    data: z.strictObject({
      widget_type: z.enum([
        'approval_card',
        'choice_card',
        'form',
        'secret_input',
        'status_card',
        'docs_card',
        'diagram',
        'navigation_hint',
        'repository_change_request_review',
      ]),
      schema_version: z.number().int().min(1),
      title: z.string().max(200).optional(),
      summary: z.string().max(5000).optional(),
      resource_refs: z.array(ResourceRef).max(20).default([]),
      reactive_bindings: z.array(z.unknown()).max(20).default([]),
      actions: z.array(z.unknown()).max(20).default([]),
    }),
  })
  .openapi('EmitWidgetIntent');

export const ArtifactIntent = z
  .strictObject({
    type: z.literal('artifact'),
    data: z.strictObject({
      artifact_type: z.enum(['diff', 'patch', 'log_bundle', 'summary', 'file', 'resource_ref']),
      title: z.string().min(1).max(200),
      resource_refs: z.array(ResourceRef).max(20).default([]),
    }),
  })
  .openapi('EmitArtifactIntent');

export const ProgressIntent = z
  .strictObject({
    type: z.literal('progress'),
    data: z.strictObject({
      state: z.enum(['QUEUED', 'RUNNING', 'WAITING', 'COMPLETED', 'FAILED']),
      message: z.string().min(1).max(2000),
    }),
  })
  .openapi('EmitProgressIntent');

export const ExecutionEnvironmentIntent = z
  .strictObject({
    type: z.literal('execution_environment'),
    data: z.strictObject({
      state: z.enum(['STARTED', 'STOPPED', 'RESUMED', 'DELETED', 'FAILED']),
      message: z.string().min(1).max(2000),
      sandbox_id: Id.optional(),
    }),
  })
  .openapi('EmitExecutionEnvironmentIntent');

export const ApprovalRequestIntent = z
  .strictObject({
    type: z.literal('approval_request'),
    data: z.strictObject({
      title: z.string().min(1).max(200),
      summary: z.string().min(1).max(5000),
      actions: z.array(z.unknown()).max(20).default([]),
    }),
  })
  .openapi('EmitApprovalRequestIntent');

export const HandoffSummaryIntent = z
  .strictObject({
    type: z.literal('handoff_summary'),
    data: z.strictObject({
      child_session_id: Id,
      summary: z.string().min(1).max(5000),
      touched_resource_refs: z.array(ResourceRef).max(50).default([]),
      decision_points: z.array(z.string().min(1).max(1000)).max(20).default([]),
      recommended_next_step: z.string().min(1).max(1000).optional(),
    }),
  })
  .openapi('EmitHandoffSummaryIntent');

/**
 * The emit body: one of the seven intents. Seed 002's own example sends `{"data": {"content": …}}`
 * without `type`: a body without `type` is a message, and a message without `role` is the assistant's.
 */
export const EmitBody = z
  .preprocess(
    (body) =>
      body !== null && typeof body === 'object' && !Array.isArray(body) && !('type' in body)
        ? { type: 'message', ...body }
        : body,
    z.discriminatedUnion('type', [
      MessageIntent,
      WidgetIntent,
      ArtifactIntent,
      ProgressIntent,
      ExecutionEnvironmentIntent,
      ApprovalRequestIntent,
      HandoffSummaryIntent,
    ]),
  )
  .openapi('EmitAgentEventBody', { description: 'One typed intent; `type` defaults to "message".' });
export type EmitBody = z.infer<typeof EmitBody>;

export const AgentEvent = z
  .object({
    id: Id,
    workspace_id: z.string().min(1).max(53),
    agent_id: Id,
    session_id: Id,
    turn_id: Id,
    sequence: z.number().int().openapi({ description: 'Position in the session: 1, 2, 3… without gaps.' }),
    cursor: z
      .string()
      .openapi({ description: 'Opaque, totally ordered across the workspace; resume with after=<cursor>.' }),
    type: z.enum(EVENT_TYPES),
    created_at: UnixSeconds,
    data: z.unknown(),
  })
  .openapi('AgentEvent');
export type AgentEvent = z.infer<typeof AgentEvent>;

export const AgentEventList = listOf(AgentEvent, 'AgentEventList');

const Filter = (max: number, description: string) =>
  z.string().min(1).max(max).optional().openapi({ description });

/** Filters, resume point and paging of GET /v1/agent_events and its stream. */
export const EventsQuery = z.strictObject({
  session: Filter(54, 'Only events of this session'),
  turn: Filter(54, 'Only events of this turn'),
  parent_session: Filter(54, 'Only events of sessions whose parent is this session'),
  forked_from_session: Filter(54, 'Only events of sessions forked from this session'),
  spawned_by_turn: Filter(54, 'Only events of sessions spawned by this turn'),
  agent_role: Filter(80, 'Only events of sessions with this agent role'),
  follow: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .openapi({
      type: 'boolean',
      description: 'Stream: stay open for new events. List: wait up to 25 s for one.',
    }),
  after: z.string().max(64).optional().openapi({ description: 'A cursor: only events after it.' }),
  limit: PageLimit.optional().openapi({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PAGE_LIMIT,
    description: `Events per page (1–${MAX_PAGE_LIMIT}, default 50; a larger value is served as ${MAX_PAGE_LIMIT}). On a stream with follow=false, the most events sent.`,
  }),
});
export type EventsQuery = z.infer<typeof EventsQuery>;

/** The stream's query: the list's, plus the credential and workspace a browser EventSource cannot send as headers. */
export const StreamQuery = EventsQuery.extend({
  access_token: z.string().min(1).max(4096).optional().openapi({
    description:
      'The bearer credential, for clients that cannot send an Authorization header (a browser EventSource). Prefer the header: URLs end up in proxy logs.',
  }),
  akua_context: z
    .string()
    .min(1)
    .max(53)
    .optional()
    .openapi({ description: 'The akua-context header, as a query parameter.' }),
});
