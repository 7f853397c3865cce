/**
 * Registry connection request and response schemas (Akua `RegistryCredential`, `RegistryCredentialList`,
 * the registry.createCredential body). The credentials are write-only: no response carries them.
 */
import { z } from '@hono/zod-openapi';
import { listOf, UnixSeconds } from '../../http/schemas.ts';

const AuthType = z
  .enum(['basic', 'token', 'oauth'])
  .openapi({ description: 'Authentication scheme used to talk to the upstream registry.' });

export const RegistryCredential = z
  .object({
    id: z.string().min(1).max(55),
    name: z.string().openapi({ example: 'GitHub Container Registry' }),
    registry_url: z.string().openapi({ example: 'ghcr.io' }),
    type: AuthType,
    is_active: z.boolean().openapi({ description: 'Whether the credential is active' }),
    created_at: UnixSeconds,
    last_used_at: UnixSeconds.nullable().openapi({
      description: 'Unix timestamp (seconds), null if never used',
    }),
  })
  .openapi('RegistryCredential');
export type RegistryCredential = z.infer<typeof RegistryCredential>;

export const RegistryCredentialList = listOf(RegistryCredential, 'RegistryCredentialList');

export const RegistryCredentials = z
  .strictObject({
    username: z.string().min(1).max(200).optional().openapi({ description: 'Username for basic auth' }),
    password: z.string().min(1).max(500).optional().openapi({ description: 'Password for basic auth' }),
    token: z.string().min(1).max(2000).optional().openapi({ description: 'Bearer token for token auth' }),
    client_id: z.string().min(1).max(200).optional().openapi({ description: 'Client ID for OAuth' }),
    client_secret: z.string().min(1).max(500).optional().openapi({ description: 'Client secret for OAuth' }),
    token_url: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .openapi({ description: 'Token endpoint URL for OAuth' }),
  })
  .openapi({ description: 'Auth credentials (type-dependent)' });

export const CreateRegistryCredentialBody = z
  .strictObject({
    name: z.string().min(1).max(100).openapi({ example: 'GitHub Container Registry' }),
    registry_url: z.string().min(1).max(2048).openapi({ example: 'ghcr.io' }),
    type: AuthType,
    credentials: RegistryCredentials,
  })
  .openapi('CreateRegistryCredentialBody');
export type CreateRegistryCredentialBody = z.infer<typeof CreateRegistryCredentialBody>;
