/** Workspace request and response schemas (Akua `Workspace`, `WorkspaceList`). */
import { z } from '@hono/zod-openapi';
import { listOf, UnixSeconds } from '../../http/schemas.ts';

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

const Slug = z
  .string()
  .min(3)
  .max(39)
  .regex(SLUG_PATTERN, 'slug may contain lowercase letters, digits and inner hyphens only')
  .openapi({
    description: 'URL-safe workspace slug (lowercase letters, digits, inner hyphens)',
    example: 'acme-research',
  });

export const Workspace = z
  .object({
    id: z.string().min(1).max(53).openapi({ example: 'ws_j572abc123def456' }),
    name: z.string().openapi({ description: 'Display name', example: 'Acme Research' }),
    slug: z.string(),
    plan: z.object({ tier: z.string(), billed_by: z.enum(['platform', 'seller']) }),
    workspace_class: z.enum(['standard', 'platform', 'sandbox']),
    created_at: UnixSeconds,
    updated_at: UnixSeconds,
    etag: z.string(),
  })
  .openapi('Workspace');
export type Workspace = z.infer<typeof Workspace>;

export const WorkspaceList = listOf(Workspace, 'WorkspaceList');

export const CreateWorkspaceBody = z
  .strictObject({ name: z.string().min(1).max(100), slug: Slug.optional() })
  .openapi('CreateWorkspaceBody');
export type CreateWorkspaceBody = z.infer<typeof CreateWorkspaceBody>;

export const UpdateWorkspaceBody = z
  .strictObject({ name: z.string().min(1).max(100).optional(), slug: Slug.optional() })
  .openapi('UpdateWorkspaceBody');
export type UpdateWorkspaceBody = z.infer<typeof UpdateWorkspaceBody>;
