/** Entitlement schemas (Akua `Entitlement`, `EntitlementList`) and the entitlements.list query. */
import { z } from '@hono/zod-openapi';
import { PageQuery } from '../../http/schemas.ts';

export const EntitlementAllocation = z
  .union([
    z.object({ type: z.literal('bool'), value: z.boolean() }),
    z.object({ type: z.literal('max_count'), value: z.number().int().min(0) }),
    z.object({ type: z.literal('unlimited'), value: z.null() }),
  ])
  .openapi(
    { description: 'Whether the feature is offered, its cap, or that it has none.' },
    { unionPreferredType: 'oneOf' },
  );
export type EntitlementAllocation = z.infer<typeof EntitlementAllocation>;

export const EntitlementFeature = z.object({
  feature_set: z.string().openapi({ example: 'snippets' }),
  key: z.string().openapi({ example: 'snippets.max_run_memory_mb' }),
  name: z.string(),
});
export type EntitlementFeature = z.infer<typeof EntitlementFeature>;

export const Entitlement = z
  .object({
    workspace_id: z.string().min(1).max(53),
    feature: EntitlementFeature,
    allocation: EntitlementAllocation,
  })
  .openapi('Entitlement');
export type Entitlement = z.infer<typeof Entitlement>;

export const EntitlementList = z
  .object({
    data: z.array(Entitlement),
    has_more: z.boolean().openapi({ description: 'True if more items exist after this page.' }),
    next_cursor: z
      .string()
      .nullable()
      .openapi({ description: 'Opaque cursor for the next page, or null if no more pages.' }),
    etag: z.string().openapi({
      description:
        "Atoll: a digest of all the workspace's entitlements (unfiltered); it changes when the server's configuration does.",
    }),
  })
  .openapi('EntitlementList');
export type EntitlementList = z.infer<typeof EntitlementList>;

export const EntitlementsQuery = PageQuery.extend({
  workspace: z.string().min(1).max(53).optional().openapi({
    description: 'Filter entitlements to one workspace.',
    example: 'ws_j572abc123def456',
  }),
  feature_set: z.string().min(1).max(128).optional().openapi({
    description: 'Filter entitlements to one feature set, such as `snippets`.',
  }),
  feature: z.string().min(1).max(256).optional().openapi({
    description: 'Filter entitlements to one exact feature key, such as `compute.max_clusters`.',
  }),
});
export type EntitlementsQuery = z.infer<typeof EntitlementsQuery>;
