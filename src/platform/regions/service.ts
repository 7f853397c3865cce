/**
 * Regions: named groupings of a workspace that installs name (`region_id`). Every workspace has the
 * region `local` from the start; others are created by name, unique in the workspace. Atoll deploys
 * every region's installs the same way (through their git repositories), so a region is a label that
 * Akua clients group installs by, not a place (docs/regions-and-quotas.md).
 */
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../db/errors.ts';
import { newId } from '../../db/ids.ts';
import type { DB } from '../../db/schema.ts';
import type { Caller } from '../../http/context.ts';
import { invalid } from '../../http/errors.ts';
import { toPage, type Page, type PageRequest } from '../../http/pagination.ts';
import type { CreateRegionBody, Region } from './schemas.ts';
import { toRegion } from './resources.ts';
import * as store from './store.ts';

export type RegionService = ReturnType<typeof createRegionService>;

export function createRegionService({ db }: { db: Kysely<DB> }) {
  return {
    async list(workspaceId: string, page: PageRequest): Promise<Page<Region>> {
      return toPage(await store.listRegions(db, workspaceId, page), page, toRegion);
    },

    /**
     * Creates a region. A name the workspace already uses is 422 naming body.name (reason
     * `already_exists`): the published operation lists 422, not 409, for a body it refuses.
     */
    async create(workspaceId: string, caller: Caller, body: CreateRegionBody): Promise<Region> {
      try {
        return toRegion(
          await store.insertRegion(db, {
            workspace_id: workspaceId,
            id: newId('reg'),
            name: body.name,
            icon: body.icon ?? null,
            created_by: caller.subject,
          }),
        );
      } catch (error) {
        if (isUniqueViolation(error, 'regions_name')) {
          throw invalid(['body', 'name'], `a region named "${body.name}" already exists in this workspace`, {
            code: 'already_exists',
          });
        }
        throw error;
      }
    },
  };
}
