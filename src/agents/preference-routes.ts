/** HTTP routes of /v1/agent_preferences (get, update): schema, auth and one service call each. */
import { createRoute } from '@hono/zod-openapi';
import { requireWorkspace } from '../http/auth.ts';
import type { ApiApp } from '../http/context.ts';
import { setEtagHeader } from '../http/etag.ts';
import { errorResponses, json, jsonBody, WorkspaceHeaders } from '../http/schemas.ts';
import { AgentPreference, UpdateAgentPreferencesBody } from './preference-schemas.ts';
import type { PreferenceService } from './preference-service.ts';

const tags = ['Agent preferences'];
const security = [{ BearerAuth: [] }];

const get = createRoute({
  method: 'get',
  path: '/v1/agent_preferences',
  operationId: 'agentPreferences.get',
  tags,
  security,
  summary: 'Get agent preferences',
  description:
    "Gets the current user's workspace-scoped agent preferences: the defaults (ADAPTIVE, learning mode off, no concepts seen) until they are first updated.",
  middleware: [requireWorkspace] as const,
  request: { headers: WorkspaceHeaders },
  responses: { 200: json(AgentPreference, 'Agent preferences'), ...errorResponses(400, 401, 403) },
});

const update = createRoute({
  method: 'patch',
  path: '/v1/agent_preferences',
  operationId: 'agentPreferences.update',
  tags,
  security,
  summary: 'Update agent preferences',
  description:
    "Updates the current user's workspace-scoped agent preferences. Every field is required; a concept listed twice in seen_concepts is kept once.",
  middleware: [requireWorkspace] as const,
  request: { headers: WorkspaceHeaders, body: jsonBody(UpdateAgentPreferencesBody) },
  responses: {
    200: json(AgentPreference, 'Agent preferences updated'),
    ...errorResponses(401, 403, 422),
  },
});

export function registerPreferenceRoutes(app: ApiApp, service: PreferenceService): void {
  app.openapi(get, async (c) => {
    const preferences = await service.get(c.var.workspaceId, c.var.caller.subject);
    setEtagHeader(c, preferences.etag);
    return c.json(preferences, 200);
  });

  app.openapi(update, async (c) => {
    const preferences = await service.update(c.var.workspaceId, c.var.caller.subject, c.req.valid('json'));
    setEtagHeader(c, preferences.etag);
    return c.json(preferences, 200);
  });
}
