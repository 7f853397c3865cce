/**
 * Work-conflict detection: the active sessions whose events already named a resource. An event names a
 * resource when an entry of its payload's `resource_refs` (widget and artifact events) or
 * `touched_resource_refs` (handoff summaries) is `{resource, id}` with exactly that kind and id. The
 * GIN index agent_events_refs (src/db/migrations/0012_agent_preferences_and_refs.sql) finds those events
 * without reading the others. Active: the session is ACTIVE or waiting for input or permission (not
 * archived). Each session is reported once, with its latest such event; sessions newest event first.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AgentWorkConflict } from './conflict-schemas.ts';
import { findConflictRows, type ConflictQuery } from './conflict-store.ts';
import { toAgentWorkConflict } from './resources.ts';

export type { ConflictQuery };

export async function findConflicts(
  db: Kysely<DB>,
  workspaceId: string,
  query: ConflictQuery,
): Promise<AgentWorkConflict[]> {
  const rows = await findConflictRows(db, workspaceId, query);
  return rows.map((row) => toAgentWorkConflict(row, query));
}
