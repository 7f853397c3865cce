/**
 * Work-conflict detection schemas (Akua `AgentWorkConflict`, `AgentWorkConflictList` and the query of
 * `agentSessions.detectConflicts`), transcribed from the spec; both response objects are closed there.
 */
import { z } from '@hono/zod-openapi';
import { UnixSeconds } from '../http/schemas.ts';
import { EVENT_TYPES } from './tables.ts';

const Id = z.string().min(1).max(54);

export const CONFLICT_RESOURCES = ['repository', 'install', 'cluster', 'repository_change_request'] as const;
export type ConflictResource = (typeof CONFLICT_RESOURCES)[number];

const LIMIT_MESSAGE = 'limit must be a positive integer (at most 50 are served)';
const MAX_CONFLICTS = 50;

export const DetectConflictsQuery = z.strictObject({
  resource: z
    .enum(CONFLICT_RESOURCES)
    .openapi({ description: 'The kind of resource, as named in resource_refs.' }),
  id: z.string().min(1).max(120).openapi({ description: 'The id of the resource.' }),
  exclude_session: Id.optional().openapi({
    description: 'A session to leave out, usually the caller’s own.',
  }),
  limit: z.coerce
    .number({ error: LIMIT_MESSAGE })
    .int(LIMIT_MESSAGE)
    .min(1, LIMIT_MESSAGE)
    // Above the published maximum it is served at the maximum, as list limits are (docs/api-conventions.md).
    .transform((limit) => Math.min(limit, MAX_CONFLICTS))
    .default(20)
    .openapi({
      type: 'integer',
      minimum: 1,
      maximum: MAX_CONFLICTS,
      default: 20,
      description: 'Most conflicts returned (1-50, default 20); a larger value is served as 50.',
    }),
});
export type DetectConflictsQuery = z.infer<typeof DetectConflictsQuery>;

export const AgentWorkConflict = z
  .strictObject({
    agent_id: Id,
    session_id: Id,
    turn_id: Id,
    event_id: Id,
    event_type: z.enum(EVENT_TYPES),
    reason: z.string().min(1).max(500),
    created_at: UnixSeconds,
  })
  .openapi('AgentWorkConflict');
export type AgentWorkConflict = z.infer<typeof AgentWorkConflict>;

export const AgentWorkConflictList = z
  .strictObject({ data: z.array(AgentWorkConflict) })
  .openapi('AgentWorkConflictList');
export type AgentWorkConflictList = z.infer<typeof AgentWorkConflictList>;
