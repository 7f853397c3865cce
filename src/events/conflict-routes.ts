/**
 * HTTP route of GET /v1/agent_sessions:detectConflicts. Hono matches it as a plain path: the colon is
 * inside a segment, and `/v1/agent_sessions/{id}` needs a slash, so neither catches the other.
 */
import { createRoute } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { requireWorkspace } from '../http/auth.ts';
import type { ApiApp } from '../http/context.ts';
import { errorResponses, json, WorkspaceHeaders } from '../http/schemas.ts';
import { AgentWorkConflictList, DetectConflictsQuery } from './conflict-schemas.ts';
import { findConflicts } from './conflicts.ts';

const detectConflicts = createRoute({
  method: 'get',
  path: '/v1/agent_sessions:detectConflicts',
  operationId: 'agentSessions.detectConflicts',
  tags: ['Agent Sessions'],
  security: [{ BearerAuth: [] }],
  summary: 'Detect agent work conflicts',
  description:
    'Finds active agent sessions that have already referenced the same repository, install, cluster, or repository change request: sessions (not archived) with an event whose resource_refs or touched_resource_refs name it. One entry per session, its latest such event, newest first.',
  middleware: [requireWorkspace] as const,
  request: { query: DetectConflictsQuery, headers: WorkspaceHeaders },
  responses: { 200: json(AgentWorkConflictList, 'Agent work conflicts'), ...errorResponses(400, 401, 403) },
});

export function registerConflictRoutes(app: ApiApp, db: Kysely<DB>): void {
  app.openapi(detectConflicts, async (c) => {
    const query = c.req.valid('query');
    const data = await findConflicts(db, c.var.workspaceId, {
      resource: query.resource,
      id: query.id,
      excludeSession: query.exclude_session,
      limit: query.limit,
    });
    return c.json({ data }, 200);
  });
}
