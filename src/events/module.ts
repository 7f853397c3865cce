/**
 * The events domain wired together: the emitter, live fan-out and streams, work-conflict detection,
 * and their routes. What it needs of the agents family comes in through `agents` (ports.ts).
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.ts';
import type { ApiApp } from '../http/context.ts';
import { registerConflictRoutes } from './conflict-routes.ts';
import { createEmitter } from './emit.ts';
import { createFanout } from './fanout.ts';
import type { EventLog } from './log.ts';
import type { AgentsPort } from './ports.ts';
import { registerEventRoutes, type EventStreams } from './routes.ts';
import { eventStream, type StreamSettings } from './stream.ts';

export function eventsModule(deps: {
  db: Kysely<DB>;
  eventLog: EventLog;
  agents: AgentsPort;
  settings: StreamSettings;
  log: Logger;
  /** Aborted when the server shuts down: open streams end with a final frame. */
  stopping?: AbortSignal;
}) {
  const emitter = createEmitter(deps);
  const fanout = createFanout(deps.db, deps.eventLog.bus, deps.log);
  const streams: EventStreams = {
    db: deps.db,
    bus: deps.eventLog.bus,
    open: (request) =>
      eventStream({ db: deps.db, fanout, settings: deps.settings, stopping: deps.stopping }, request),
  };
  return {
    emitter,
    fanout,
    name: 'events',
    routes(app: ApiApp): void {
      registerEventRoutes(app, { emitter, streams });
      registerConflictRoutes(app, deps.db);
    },
  };
}
