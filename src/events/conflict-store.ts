/**
 * SQL of work-conflict detection (conflicts.ts says what a conflict is). The query joins the session of
 * each event to keep to active sessions: `agent_sessions` belongs to the agents family, but the state
 * must be read in the same statement as the GIN-indexed lookup so that DISTINCT ON … LIMIT counts only
 * active sessions (a port asked afterwards would have to over-fetch). This is the one read of another
 * family's table left in src/events/.
 */
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { ConflictResource } from './conflict-schemas.ts';
import type { EventType } from './tables.ts';

export type ConflictQuery = {
  resource: ConflictResource;
  id: string;
  excludeSession: string | undefined;
  limit: number;
};

export type ConflictRow = {
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

/** The latest event of each active session that named the resource, newest first. */
export async function findConflictRows(
  db: Kysely<DB>,
  workspaceId: string,
  query: ConflictQuery,
): Promise<ConflictRow[]> {
  const { rows } = await conflictsQuery(workspaceId, query).execute(db);
  return rows;
}
