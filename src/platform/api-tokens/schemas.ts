/** API token request and response schemas (Akua `ApiToken`, `CreatedApiToken`, `CreateApiTokenRequest`). */
import { z } from '@hono/zod-openapi';
import { listOf, UnixSeconds } from '../../http/schemas.ts';

export const ApiToken = z
  .object({
    id: z.string().min(1).max(54),
    workspace_id: z.string().min(1).max(53),
    name: z.string().openapi({ example: 'My CLI token' }),
    prefix: z
      .string()
      .openapi({ example: 'sk_atoll_a3b2', description: 'First characters of the token, for display only.' }),
    created_at: UnixSeconds,
    last_used_at: UnixSeconds.nullable().openapi({
      description: 'Last use (minute precision), or null if never used',
    }),
    expires_at: UnixSeconds.nullable(),
  })
  .openapi('ApiToken');
export type ApiToken = z.infer<typeof ApiToken>;

export const ApiTokenList = listOf(ApiToken, 'ApiTokenList');

export const CreatedApiToken = z
  .object({
    id: z.string().min(1).max(54),
    workspace_id: z.string().min(1).max(53),
    name: z.string(),
    token: z
      .string()
      .openapi({ description: 'The full token. This is shown only once - store it securely.' }),
    // Atoll extensions: the token as it will be listed, so a client need not read it back.
    prefix: z.string().openapi({ description: 'Atoll: first characters of the token, for display only.' }),
    created_at: UnixSeconds.openapi({ description: 'Atoll: when it was created (Unix seconds).' }),
    expires_at: UnixSeconds.nullable().openapi({
      description: 'Atoll: when it expires (Unix seconds), or null for never.',
    }),
  })
  .openapi('CreatedApiToken');
export type CreatedApiToken = z.infer<typeof CreatedApiToken>;

export const CreateApiTokenRequest = z
  .strictObject({
    name: z.string().min(1).max(100).openapi({ example: 'My CLI token' }),
    expires_at: UnixSeconds.nullable()
      .optional()
      .openapi({ description: 'Unix seconds when the token expires; omit or null for never.' }),
  })
  .openapi('CreateApiTokenRequest');
export type CreateApiTokenRequest = z.infer<typeof CreateApiTokenRequest>;
