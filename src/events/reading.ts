/**
 * Reading the event log as JSON pages: oldest first after a cursor, with every filter. With follow=true
 * an empty page waits (up to 25 s) for the next matching event instead of answering at once.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { badRequest } from '../http/errors.ts';
import type { Page } from '../http/pagination.ts';
import type { EventBus } from './bus.ts';
import { cursorOf, positionOf, toAgentEvent } from './resources.ts';
import type { AgentEvent, EventsQuery } from './schemas.ts';
import { readAfter, type EventFilter } from './store.ts';

const LONG_POLL_MS = 25_000;

export function filterOf(query: EventsQuery): EventFilter {
  return {
    session: query.session,
    turn: query.turn,
    parentSession: query.parent_session,
    forkedFromSession: query.forked_from_session,
    spawnedByTurn: query.spawned_by_turn,
    agentRole: query.agent_role,
  };
}

/** The position a cursor parameter names (0 when absent); 400 naming the parameter when it is not ours. */
export function positionParam(cursor: string | undefined, path: string[]): number {
  if (cursor === undefined || cursor === '') return 0;
  const position = positionOf(cursor);
  if (position === undefined)
    throw badRequest(path, 'not a cursor this API returned; use the cursor of an event');
  return position;
}

export async function listEvents(
  deps: { db: Kysely<DB>; bus: EventBus },
  workspaceId: string,
  query: EventsQuery,
  signal: AbortSignal,
): Promise<Page<AgentEvent>> {
  const filter = filterOf(query);
  const after = positionParam(query.after, ['query', 'after']);
  const limit = query.limit ?? 50;
  const deadline = Date.now() + LONG_POLL_MS;
  for (;;) {
    // Listen before reading: an event committed between the read and the wait must still wake us.
    let woken = false;
    let wake = () => {
      woken = true;
    };
    const unsubscribe = query.follow ? deps.bus.subscribe(workspaceId, () => wake()) : () => {};
    try {
      const { rows } = await readAfter(deps.db, workspaceId, filter, after, limit + 1);
      if (rows.length > 0 || !query.follow || Date.now() >= deadline || signal.aborted) {
        const served = rows.slice(0, limit);
        const hasMore = rows.length > limit;
        return {
          data: served.map(toAgentEvent),
          has_more: hasMore,
          next_cursor: hasMore ? cursorOf(served[served.length - 1]!.position) : null,
        };
      }
      if (woken) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        wake = done;
        const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
        signal.addEventListener('abort', done);
      });
    } finally {
      unsubscribe();
    }
  }
}
