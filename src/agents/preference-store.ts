/**
 * SQL for agent preferences: one row per (workspace, user), created with the defaults by the first read
 * or written whole by an update. seen_concepts is passed as JSON text.
 */
import type { Kysely, Selectable } from 'kysely';
import { newId } from '../db/ids.ts';
import type { DB } from '../db/schema.ts';
import type { AgentPreferencesTable, CommunicationProfile } from './tables.ts';

export type PreferenceRow = Selectable<AgentPreferencesTable>;

export type PreferenceValues = {
  communication_profile: CommunicationProfile;
  learning_mode_enabled: boolean;
  seen_concepts: string[];
};

function find(db: Kysely<DB>, workspaceId: string, userId: string): Promise<PreferenceRow | undefined> {
  return db
    .selectFrom('agent_preferences')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/**
 * The user's preferences, created with the column defaults when never set, so that the id and
 * created_at a client first sees stay the same. Of two first reads racing, one inserts and the other
 * reads that row.
 */
export async function findOrCreatePreferences(
  db: Kysely<DB>,
  workspaceId: string,
  userId: string,
): Promise<PreferenceRow> {
  const existing = await find(db, workspaceId, userId);
  if (existing) return existing;
  const inserted = await db
    .insertInto('agent_preferences')
    .values({ id: newId('apf'), workspace_id: workspaceId, user_id: userId })
    .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  return inserted ?? (await find(db, workspaceId, userId))!;
}

/** Writes every field of the user's preferences (creating the row if needed) and bumps its version. */
export async function writePreferences(
  db: Kysely<DB>,
  workspaceId: string,
  userId: string,
  values: PreferenceValues,
): Promise<PreferenceRow> {
  const row = { ...values, seen_concepts: JSON.stringify(values.seen_concepts) };
  return db
    .insertInto('agent_preferences')
    .values({ id: newId('apf'), workspace_id: workspaceId, user_id: userId, ...row })
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'user_id']).doUpdateSet((eb) => ({
        ...row,
        version: eb('agent_preferences.version', '+', 1),
        updated_at: new Date(),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}
