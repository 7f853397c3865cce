/** AgentRun as the API shows it (envs are never part of it). */
import { iso, isoOrNull } from '../../db/time.ts';
import type { AgentRun } from '../schemas.ts';
import type { RunRow } from './store.ts';

export type { RunRow };

export function toRun(row: RunRow): AgentRun {
  return {
    id: row.id,
    deployment_id: row.deployment_id,
    version_id: row.version_id,
    mode: row.mode,
    status: row.status,
    input: row.input,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    retain_on_failure: row.retain_on_failure,
    retention_seconds: row.retention_seconds,
    sandbox_id: row.sandbox_id,
    process_id: row.process_id,
    exit_code: row.exit_code,
    failure_reason: row.failure_reason,
    output_manifest: row.output_manifest ?? {},
    started_at: isoOrNull(row.started_at),
    completed_at: isoOrNull(row.completed_at),
    idempotency_key: row.idempotency_key,
    retained_until: row.sandbox_removed_at === null ? isoOrNull(row.retained_until) : null,
  };
}
