/**
 * Agent preference schemas (Akua `AgentPreference` and the body of `agentPreferences.update`),
 * transcribed from the spec: the update body is closed and requires all three fields.
 */
import { z } from '@hono/zod-openapi';
import { UnixSeconds } from '../http/schemas.ts';
import { Id54 } from './schemas.ts';
import { CommunicationProfile } from './session-schemas.ts';

export const SEEN_CONCEPTS_MAX = 200;

export const AgentPreference = z
  .object({
    id: Id54.openapi({ example: 'apf_j572abc123def456' }),
    workspace_id: z.string().min(1).max(53),
    user_id: z.string().openapi({ description: 'The caller: the JWT subject, or the API token id.' }),
    communication_profile: CommunicationProfile,
    learning_mode_enabled: z.boolean(),
    seen_concepts: z.array(z.string()),
    created_at: UnixSeconds,
    updated_at: UnixSeconds,
    etag: z.string(),
  })
  .openapi('AgentPreference');
export type AgentPreference = z.infer<typeof AgentPreference>;

export const UpdateAgentPreferencesBody = z
  .strictObject({
    communication_profile: CommunicationProfile,
    learning_mode_enabled: z.boolean(),
    seen_concepts: z
      .array(z.string().min(1).max(120))
      .max(SEEN_CONCEPTS_MAX)
      .openapi({ description: 'Concepts already explained to the user; a repeated one is kept once.' }),
  })
  .openapi('UpdateAgentPreferencesBody');
export type UpdateAgentPreferencesBody = z.infer<typeof UpdateAgentPreferencesBody>;
