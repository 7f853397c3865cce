/**
 * Entitlements: what this server offers a workspace (entitlementCatalogue), filtered by the published
 * query filters and paged in the catalogue's order. A request acts in one workspace, so a `workspace`
 * filter naming another one matches nothing.
 */
import { createHash } from 'node:crypto';
import { toPage, type PageRequest } from '../../http/pagination.ts';
import { entitlementCatalogue, type EntitlementSettings, type OfferedFeature } from './catalogue.ts';
import type { Entitlement, EntitlementList } from './schemas.ts';

export type EntitlementService = ReturnType<typeof createEntitlementService>;

export type EntitlementFilters = {
  workspace?: string | undefined;
  feature_set?: string | undefined;
  feature?: string | undefined;
};

export function createEntitlementService(settings: EntitlementSettings) {
  const catalogue = entitlementCatalogue(settings);
  // Pages run over a fixed order; a row's key counts down so that the shared cursor ("rows below
  // this key") continues after the last row served.
  const rows = catalogue.map((feature, i) => ({ seq: catalogue.length - i, feature }));

  const toEntitlement =
    (workspaceId: string) =>
    ({ feature }: { feature: OfferedFeature }): Entitlement => ({
      workspace_id: workspaceId,
      feature: { feature_set: feature.feature_set, key: feature.key, name: feature.name },
      allocation: feature.allocation,
    });

  /** A digest of all the workspace's entitlements: the same until the configuration changes. */
  const etagOf = (workspaceId: string) =>
    createHash('sha256')
      .update(JSON.stringify(rows.map(toEntitlement(workspaceId))))
      .digest('base64url')
      .slice(0, 22);

  return {
    list(workspaceId: string, filters: EntitlementFilters, page: PageRequest): EntitlementList {
      const matching = rows.filter(
        ({ seq, feature }) =>
          (filters.workspace === undefined || filters.workspace === workspaceId) &&
          (filters.feature_set === undefined || filters.feature_set === feature.feature_set) &&
          (filters.feature === undefined || filters.feature === feature.key) &&
          (page.before === undefined || seq < page.before),
      );
      return {
        ...toPage(matching.slice(0, page.limit + 1), page, toEntitlement(workspaceId)),
        etag: etagOf(workspaceId),
      };
    },
  };
}
