/**
 * Work-conflict detection: the active sessions whose events already named a resource. An event names a
 * resource when an entry of its payload's `resource_refs` (widget and artifact events) or
 * `touched_resource_refs` (handoff summaries) is `{resource, id}` with exactly that kind and id. The
 * GIN index agent_events_refs (src/db/migrations/0012_agent_preferences_and_refs.sql) finds those events
 * without reading the others. Active: the session is ACTIVE or waiting for input or permission (not
 * archived). Each session is reported once, with its latest such event; sessions newest event first.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { unixSeconds } from '../db/time.ts';
import type { AgentWorkConflict, ConflictResource } from './conflict-schemas.ts';
import type { EventType } from './tables.ts';

export type ConflictQuery = {
  resource: ConflictResource;
  id: string;
  excludeSession: string | undefined;
  limit: number;
};

type ConflictRow = {
  id: string;
  agent_id: string;
  session_id: string;
  turn_id: string;
  type: EventType;
  position: string | number;
  created_at: Date;
};

/** Session states in which a session may still act (an archived session takes no new turns). */
const ACTIVE_STATES = ['ACTIVE', 'WAITING_FOR_INPUT', 'WAITING_FOR_PERMISSION'];

/**
 * The query. The ref key carries the workspace, so the index condition alone keeps to the workspace:
 * a second condition on workspace_id would only tempt the planner to walk the workspace's whole log
 * through another index. The two atoll_event_refs conditions are the index's expression and its
 * partial predicate, spelled as the index spells them so that the planner can use it.
 */
export function conflictsQuery(workspaceId: string, query: ConflictQuery) {
  const exclude = query.excludeSession ?? null;
  return sql<ConflictRow>`
    SELECT * FROM (
      SELECT DISTINCT ON (e.session_id)
             e.id, e.agent_id, e.session_id, e.turn_id, e.type, e.position, e.created_at
        FROM agent_events e
        JOIN agent_sessions s ON s.id = e.session_id
       WHERE atoll_event_refs(e.workspace_id, e.data)
               @> ARRAY[atoll_event_ref_key(${workspaceId}, ${query.resource}, ${query.id})]
         AND atoll_event_refs(e.workspace_id, e.data) <> '{}'
         AND s.state IN (${sql.join(ACTIVE_STATES)})
         AND (${exclude}::text IS NULL OR e.session_id <> ${exclude})
       ORDER BY e.session_id, e.position DESC
    ) latest
    ORDER BY latest.position DESC
    LIMIT ${query.limit}
  `;
}

export async function findConflicts(
  db: Kysely<DB>,
  workspaceId: string,
  query: ConflictQuery,
): Promise<AgentWorkConflict[]> {
  const { rows } = await conflictsQuery(workspaceId, query).execute(db);
  return rows.map((row) => ({
    agent_id: row.agent_id,
    session_id: row.session_id,
    turn_id: row.turn_id,
    event_id: row.id,
    event_type: row.type,
    reason: `session ${row.session_id} of agent ${row.agent_id} named ${query.resource} ${query.id} in a ${row.type} event of turn ${row.turn_id}`,
    created_at: unixSeconds(row.created_at),
  }));
}
