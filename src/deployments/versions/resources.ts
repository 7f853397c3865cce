/** Row → resource mapper of deployment versions. */
import { iso } from '../../db/time.ts';
import type { AgentVersion } from '../schemas.ts';
import type { VersionRow } from './store.ts';

export function toVersion(row: VersionRow): AgentVersion {
  return {
    id: row.id,
    deployment_id: row.deployment_id,
    version_number: row.version_number,
    status: row.status,
    cache_policy: row.cache_policy,
    bundle_digest: row.bundle_digest,
    bundle_manifest: row.bundle_manifest,
    config: row.config,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}
