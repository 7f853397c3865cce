/** Kysely row types of the agent-deployments tables (src/db/migrations/0007_agent_deployments.sql). */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { BundleManifest } from './bundles/manifest.ts';
import type { AgentConfig, DeploymentMode } from './config-schema.ts';

type CreatedAt = ColumnType<Date, Date | undefined, never>;
type Timestamp = ColumnType<Date, Date | undefined, Date>;
type Json<T extends object> = JSONColumnType<T, string, string>;
type NullableJson<T extends object> = ColumnType<T | null, string | null | undefined, string | null>;

export const DEPLOYMENT_STATUSES = ['active', 'paused', 'deleted'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];
export const VERSION_STATUSES = ['created', 'building', 'ready', 'failed', 'superseded'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];
export const CACHE_POLICIES = ['auto', 'no_cache', 'rebuild'] as const;
export type CachePolicy = (typeof CACHE_POLICIES)[number];
export const RUN_STATUSES = [
  'queued',
  'starting',
  'installing',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const ACTIVE_RUN_STATUSES = ['queued', 'starting', 'installing', 'running'] as const;
export const TERMINAL_RUN_STATUSES = ['succeeded', 'failed', 'cancelled', 'timed_out'] as const;
export type TerminalRunStatus = (typeof TERMINAL_RUN_STATUSES)[number];
export const SERVICE_STATUSES = ['starting', 'ready', 'unhealthy', 'stopping', 'stopped', 'failed'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];
export const LIVE_SERVICE_STATUSES = ['starting', 'ready', 'unhealthy', 'stopping'] as const;
export type LogStream = 'stdout' | 'stderr' | 'system';

/** What a run collected from its declared output paths. */
export type OutputManifest = {
  outputs: Array<{ path: string; type: 'file'; size: number; digest: string }>;
  /** Declared paths that did not exist when the process exited. */
  missing: string[];
  /** Set when files were left out because the run's output limit was reached. */
  truncated: boolean;
};

export type AgentDeploymentsTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  name: string;
  mode: DeploymentMode;
  status: ColumnType<DeploymentStatus, DeploymentStatus | undefined, DeploymentStatus>;
  description: string | null;
  metadata: Json<Record<string, unknown>>;
  active_version_id: string | null;
  next_version_number: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  deleted_at: Date | null;
};

export type AgentBlobsTable = {
  workspace_id: string;
  digest: string;
  size: number;
  content: Uint8Array;
  created_at: CreatedAt;
};

export type AgentVersionsTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  deployment_id: string;
  version_number: number;
  status: ColumnType<VersionStatus, VersionStatus | undefined, VersionStatus>;
  cache_policy: CachePolicy;
  config: Json<AgentConfig>;
  bundle_manifest: Json<BundleManifest>;
  bundle_digest: string;
  uploaded_at: Date | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
};

export type AgentRunsTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  deployment_id: string;
  version_id: string;
  mode: ColumnType<DeploymentMode, DeploymentMode | undefined, never>;
  status: ColumnType<RunStatus, RunStatus | undefined, RunStatus>;
  input: Json<Record<string, unknown>>;
  retain_on_failure: boolean | null;
  retention_seconds: number | null;
  sandbox_id: string | null;
  process_id: number | null;
  exit_code: number | null;
  failure_reason: string | null;
  output_manifest: NullableJson<OutputManifest>;
  idempotency_key: string | null;
  turn_id: string | null;
  job_id: string | null;
  cancel_requested: ColumnType<boolean, boolean | undefined, boolean>;
  log_bytes: ColumnType<number, number | undefined, number>;
  log_truncated: ColumnType<boolean, boolean | undefined, boolean>;
  retained_until: Date | null;
  sandbox_removed_at: Date | null;
  started_at: Date | null;
  completed_at: Date | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
};

export type AgentRunOutputsTable = {
  run_id: string;
  workspace_id: string;
  path: string;
  size: number;
  digest: string;
};

export type AgentServicesTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  deployment_id: string;
  version_id: string;
  status: ColumnType<ServiceStatus, ServiceStatus | undefined, ServiceStatus>;
  port: number;
  sandbox_id: string | null;
  process_id: number | null;
  readiness_status: Json<Record<string, unknown>>;
  failure_reason: string | null;
  idempotency_key: string | null;
  job_id: string | null;
  generation: ColumnType<number, number | undefined, number>;
  log_bytes: ColumnType<number, number | undefined, number>;
  log_truncated: ColumnType<boolean, boolean | undefined, boolean>;
  started_at: Date | null;
  stopped_at: Date | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
};

export type AgentLogsTable = {
  owner_id: string;
  seq: number;
  at: Date;
  stream: LogStream;
  text: string;
};

export type DeploymentTables = {
  agent_deployments: AgentDeploymentsTable;
  agent_blobs: AgentBlobsTable;
  agent_deployment_versions: AgentVersionsTable;
  agent_runs: AgentRunsTable;
  agent_run_outputs: AgentRunOutputsTable;
  agent_services: AgentServicesTable;
  agent_logs: AgentLogsTable;
};
