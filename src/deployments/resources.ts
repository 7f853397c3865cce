/** Row → resource mapper of deployments (`to<Resource>`); runs, services and versions have theirs in their folders. */
import { iso, isoOrNull } from '../db/time.ts';
import type { DeploymentRow } from './deployment-store.ts';
import type { AgentDeployment } from './schemas.ts';

export function toDeployment(row: DeploymentRow): AgentDeployment {
  return {
    id: row.id,
    name: row.name,
    mode: row.mode,
    status: row.status,
    metadata: row.metadata,
    description: row.description,
    active_version_id: row.active_version_id,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    deleted_at: isoOrNull(row.deleted_at),
  };
}
