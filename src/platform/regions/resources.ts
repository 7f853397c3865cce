/** Row → resource mapper of regions (`to<Resource>`). */
import { unixSeconds } from '../../db/time.ts';
import type { Region } from './schemas.ts';
import type { RegionRow } from './store.ts';

export function toRegion(row: RegionRow): Region {
  return {
    id: row.id,
    name: row.name,
    icon: row.icon,
    workspace_id: row.workspace_id,
    created_at: unixSeconds(row.created_at),
  };
}
