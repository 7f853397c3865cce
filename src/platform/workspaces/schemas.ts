/** Workspace request and response schemas (Akua `Workspace`, `WorkspaceList`). */
import { z } from '@hono/zod-openapi';
import { listOf, UnixSeconds } from '../../http/schemas.ts';

/** The slug's length limits in the published WorkspaceCreate / WorkspaceUpdate bodies. */
export const SLUG_MIN = 3;
export const SLUG_MAX = 39;

/**
 * A workspace slug as the published document defines it: 3–39 characters and no pattern, so any text
 * (`Cov_ab12`, `acme research`) is accepted and kept as sent. Characters are counted as JSON Schema
 * counts them, in code points (an emoji is one), not UTF-16 units. Slugs are unique exactly as
 * stored: `Acme` and `acme` are two slugs (docs/api-conventions.md "Workspace slugs").
 */
const Slug = z
  .string()
  .refine((slug) => {
    const length = [...slug].length;
    return length >= SLUG_MIN && length <= SLUG_MAX;
  }, `slug must be ${SLUG_MIN} to ${SLUG_MAX} characters long`)
  .openapi({
    minLength: SLUG_MIN,
    maxLength: SLUG_MAX,
    description: `Workspace slug: any ${SLUG_MIN}–${SLUG_MAX} characters, unique (exactly as sent) among workspaces`,
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
