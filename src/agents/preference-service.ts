/**
 * Agent preferences: the calling user's, in the workspace the request acts in (the spec: "the current
 * user's workspace-scoped agent preferences"). The user is the caller's subject (docs/agent-catalog.md).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AgentPreference, UpdateAgentPreferencesBody } from './preference-schemas.ts';
import { findOrCreatePreferences, writePreferences } from './preference-store.ts';
import { toAgentPreference } from './resources.ts';

export function createPreferenceService(deps: { db: Kysely<DB> }) {
  return {
    /** The user's preferences; the defaults (ADAPTIVE, learning mode off, nothing seen) when never set. */
    async get(workspaceId: string, userId: string): Promise<AgentPreference> {
      return toAgentPreference(await findOrCreatePreferences(deps.db, workspaceId, userId));
    },

    /** Replaces all three preferences; a concept listed twice is kept once, in first-seen order. */
    async update(
      workspaceId: string,
      userId: string,
      body: UpdateAgentPreferencesBody,
    ): Promise<AgentPreference> {
      const row = await writePreferences(deps.db, workspaceId, userId, {
        communication_profile: body.communication_profile,
        learning_mode_enabled: body.learning_mode_enabled,
        seen_concepts: [...new Set(body.seen_concepts)],
      });
      return toAgentPreference(row);
    },
  };
}
export type PreferenceService = ReturnType<typeof createPreferenceService>;
