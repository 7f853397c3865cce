/** AgentServiceInstance as the API shows it (envs are never part of it; public URLs are not offered). */
import { iso, isoOrNull } from '../../db/time.ts';
import type { AgentService } from '../schemas.ts';
import type { ServiceRow } from './store.ts';

export type { ServiceRow };

/** The authenticated path through this server to the service's port (docs/agent-services.md). */
export function proxyPath(deploymentId: string, serviceId: string): string {
  return `/v1/agent-deployments/${deploymentId}/services/${serviceId}/proxy`;
}

export function toService(row: ServiceRow, publicUrl: string): AgentService {
  return {
    id: row.id,
    deployment_id: row.deployment_id,
    version_id: row.version_id,
    status: row.status,
    port: row.port,
    generation: row.generation,
    sandbox_id: row.sandbox_id,
    process_id: row.process_id,
    public_url: null,
    proxy_url: `${publicUrl}${proxyPath(row.deployment_id, row.id)}/`,
    readiness_status: row.readiness_status,
    failure_reason: row.failure_reason,
    started_at: isoOrNull(row.started_at),
    stopped_at: isoOrNull(row.stopped_at),
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    idempotency_key: row.idempotency_key,
  };
}
