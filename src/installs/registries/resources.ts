/** Row → resource mapper of registry connections (`to<Resource>`); the sealed credentials stay behind. */
import { unixSeconds, unixSecondsOrNull } from '../../db/time.ts';
import type { RegistryCredential } from './schemas.ts';
import type { RegistryConnectionRow } from './store.ts';

export function toRegistryCredential(row: RegistryConnectionRow): RegistryCredential {
  return {
    id: row.id,
    name: row.name,
    registry_url: row.registry_url,
    type: row.type,
    is_active: row.is_active,
    created_at: unixSeconds(row.created_at),
    last_used_at: unixSecondsOrNull(row.last_used_at),
  };
}
