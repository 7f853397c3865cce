/** HTTP routes of the event log: emit into a turn, list events, stream events (SSE). */
import { createRoute, z } from '@hono/zod-openapi';
import { requireWorkspace, requireWorkspaceForStream } from '../http/auth.ts';
import type { ApiApp } from '../http/context.ts';
import {
  AkuaContextHeader,
  errorResponses,
  IdempotencyKeyHeader,
  json,
  jsonBody,
  pathId,
} from '../http/schemas.ts';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { EventBus } from './bus.ts';
import type { Emitter } from './emit.ts';
import { filterOf, listEvents, positionParam } from './reading.ts';
import { AgentEvent, AgentEventList, EmitBody, EventsQuery, StreamQuery } from './schemas.ts';
import type { StreamRequest } from './stream.ts';

/** What the read routes need: the log to page through and the bus to wait on, and how to open a stream. */
export type EventStreams = { db: Kysely<DB>; bus: EventBus; open(request: StreamRequest): Response };

const tags = ['Agent Events'];
const security = [{ BearerAuth: [] }];

const emit = createRoute({
  method: 'post',
  path: '/v1/agent_turns/{id}:emit',
  operationId: 'agentTurns.emit',
  tags,
  security,
  summary: 'Emit agent turn event',
  description:
    'Appends one typed intent to the turn as an event of its session. idempotency-key is required: a retry returns the same event (id, sequence, cursor). Emitting into a COMPLETED, FAILED or CANCELLED turn is 409.',
  middleware: [requireWorkspace] as const,
  request: {
    params: z.object({ id: pathId(54, 'Agent turn ID') }),
    headers: z.object({ 'akua-context': AkuaContextHeader, 'idempotency-key': IdempotencyKeyHeader }),
    body: jsonBody(EmitBody),
  },
  responses: {
    201: json(AgentEvent, 'Agent event authored'),
    ...errorResponses(401, 403, 404, 409, 422),
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/agent_events',
  operationId: 'agentEvents.list',
  tags,
  security,
  summary: 'List agent events',
  description:
    'Events oldest first after `after`, filtered. With follow=true an empty page waits up to 25 s for an event.',
  middleware: [requireWorkspace] as const,
  request: { query: EventsQuery, headers: z.object({ 'akua-context': AkuaContextHeader }) },
  responses: { 200: json(AgentEventList, 'Agent events'), ...errorResponses(400, 401, 403) },
});

const stream = createRoute({
  method: 'get',
  path: '/v1/agent_events:stream',
  operationId: 'agentEvents.stream',
  tags,
  security,
  summary: 'Stream agent events',
  description:
    'Server-Sent Events: frames `id: <cursor>`, `event: <type>`, `data: <AgentEvent>`. Resume with `after` or Last-Event-ID. follow=false ends with `event: end`; follow=true stays open with a heartbeat comment every 15 s; a consumer too slow to keep up gets `event: overflow` with the cursor to resume from. A browser EventSource, which cannot send headers, may pass its token as `access_token` (and a JWT its workspace as `akua_context`).',
  middleware: [requireWorkspaceForStream] as const,
  request: {
    query: StreamQuery,
    headers: z.object({ 'akua-context': AkuaContextHeader, 'last-event-id': z.string().max(64).optional() }),
  },
  responses: {
    200: { description: 'Agent event stream', content: { 'text/event-stream': { schema: z.string() } } },
    ...errorResponses(400, 401, 403),
  },
});

export function registerEventRoutes(app: ApiApp, deps: { emitter: Emitter; streams: EventStreams }): void {
  app.openapi(emit, async (c) => {
    const result = await deps.emitter.emit({
      workspaceId: c.var.workspaceId,
      subject: c.var.caller.subject,
      turnId: c.req.valid('param').id,
      body: c.req.valid('json'),
      idempotencyKey: c.req.valid('header')['idempotency-key'],
    });
    if (result.replayed) c.header('idempotent-replayed', 'true');
    return c.json(result.event, 201);
  });

  app.openapi(list, async (c) =>
    c.json(await listEvents(deps.streams, c.var.workspaceId, c.req.valid('query'), c.req.raw.signal), 200),
  );

  app.openapi(stream, (c) => {
    const query = c.req.valid('query');
    const lastEventId = c.req.valid('header')['last-event-id'];
    // A reconnecting EventSource sends Last-Event-ID with its original URL: the header is the newer position.
    const after =
      lastEventId !== undefined
        ? positionParam(lastEventId, ['header', 'last-event-id'])
        : positionParam(query.after, ['query', 'after']);
    return deps.streams.open({
      workspaceId: c.var.workspaceId,
      filter: filterOf(query),
      after,
      follow: query.follow,
      limit: query.limit,
      signal: c.req.raw.signal,
    }) as never;
  });
}
