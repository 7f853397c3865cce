/** Kysely row types of the installs tables (src/db/migrations/0006_installs.sql). */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';

type CreatedAt = ColumnType<Date, Date | undefined, never>;
type Timestamp = ColumnType<Date, Date | undefined, Date>;
type Json<T extends object | null> = JSONColumnType<T, string, string>;
type NullableJson<T extends object> = ColumnType<T | null, string | null | undefined, string | null>;

export type InstallState =
  'pending' | 'rendering' | 'syncing' | 'healthy' | 'degraded' | 'failed' | 'deleted';
export type RenderState = 'running' | 'deployed' | 'skipped' | 'failed';
export type RepositoryPurpose = 'deploy' | 'package' | 'repository_change_request';
export type ChangeRequestState =
  | 'AWAITING_CHANGES'
  | 'VALIDATING'
  | 'READY'
  | 'ACCEPTING'
  | 'ACCEPTED'
  | 'REJECTED'
  | 'WITHDRAWN'
  | 'EXPIRED'
  | 'FAILED';
export type ChangeType = 'manifest_patch' | 'inputs_change' | 'package_change' | 'unknown';

/** What a package artifact holds, parsed once when it is uploaded (JS package) or pulled (Helm chart). */
export type ArtifactContents = ProgramContents | HelmChartContents;

/** An Atoll JS package: a render program and static manifests. */
export type ProgramContents = {
  kind?: undefined;
  name: string;
  version: string;
  description: string | null;
  input_schema: Record<string, unknown>;
  /** The render program: an ES module whose default export is render(input, ctx). */
  program: string;
  /** Static manifests (YAML documents), sorted by path, rendered before the program's objects. */
  manifests: Array<{ path: string; content: string }>;
};

/** A Helm chart pulled from an OCI registry; the artifact's bytes are the chart archive (tar.gz). */
export type HelmChartContents = {
  kind: 'helm';
  name: string;
  version: string;
  description: string | null;
  app_version: string | null;
  /** The chart's values.yaml, parsed. */
  values: Record<string, unknown>;
  /** The chart's values.schema.json, or null when it has none. */
  values_schema: Record<string, unknown> | null;
  /** Paths of the archive's files, sorted. */
  files: string[];
};

/** Where a Helm package version came from (package_versions.source). */
export type HelmVersionSource = {
  kind: 'helm';
  repo_url: string;
  chart: string | null;
  target_revision: string;
  /** The OCI manifest the revision resolved to when the version was created. */
  manifest_digest: string;
  values: Record<string, unknown>;
};

export type PackageArtifactsTable = {
  workspace_id: string;
  digest: string;
  size: number;
  content: Uint8Array;
  contents: Json<ArtifactContents>;
  created_at: CreatedAt;
};

export type RepositoriesTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  name: string;
  purpose: RepositoryPurpose;
  storage: string;
  branch: Generated<string>;
  install_id: string | null;
  cluster_id: string | null;
  package_id: string | null;
  repository_change_request_id: string | null;
  last_deploy_sha: string | null;
  last_render_hash: string | null;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  deleted_at: Date | null;
};

export type PackagesTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  name: string;
  display_image_url: string | null;
  description: Generated<string | null>;
  repository_id: string;
  latest_version_id: string | null;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  deleted_at: Date | null;
};

export type PackageVersionsTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  package_id: string;
  semver: string;
  ref: string;
  input_schema: Json<Record<string, unknown>>;
  compatibility: NullableJson<Record<string, unknown>>;
  /** Helm packages: where the chart came from; null for JS packages. */
  source: NullableJson<HelmVersionSource>;
  /** Helm packages: values.yaml with the source's values merged over it; installs' values merge over these. */
  base_values: NullableJson<Record<string, unknown>>;
  created_by: string;
  published_at: CreatedAt;
  created_at: CreatedAt;
};

export type VersionPin = { kind: 'latest' } | { kind: 'pinned'; version: string };

export type InstallsTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  package_id: string;
  version_pin: Json<VersionPin>;
  package_version_id: string;
  desired_version_id: string | null;
  region_id: string;
  cluster_id: string | null;
  input_values: Json<Record<string, unknown>>;
  require_review: Generated<boolean>;
  state: ColumnType<InstallState, InstallState | undefined, InstallState>;
  repository_id: string;
  created_by: string;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  deleted_at: Date | null;
};

export type RenderFailure = { code: string; message: string; path?: string[] };

export type InstallRendersTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  install_id: string;
  operation_id: string | null;
  job_id: string | null;
  repository_change_request_id: string | null;
  package_version_id: string;
  restored_from_render_id: string | null;
  state: ColumnType<RenderState, RenderState | undefined, RenderState>;
  render_hash: string | null;
  commit_sha: string | null;
  message: string | null;
  skip_unchanged: boolean;
  extra_annotations: Json<Record<string, string>>;
  input_values: Json<Record<string, unknown>>;
  failure: NullableJson<RenderFailure>;
  commit_started_at: Date | null;
  render_key: Generated<string | null>;
  created_by: string;
  created_at: CreatedAt;
  updated_at: Timestamp;
};

export type RemediationEvidence = {
  summary: string;
  likely_fix: string;
  resource_refs: Array<{ resource: string; id: string }>;
};

export type ChangeRequestsTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  parent_repository_id: string;
  fork_repository_id: string;
  branch: string;
  base_sha: string;
  state: ColumnType<ChangeRequestState, ChangeRequestState | undefined, ChangeRequestState>;
  change_type: ColumnType<ChangeType, ChangeType | undefined, ChangeType>;
  created_by_type: 'user' | 'wizard' | 'agent';
  created_by_id: string;
  agent_id: string | null;
  remediation_evidence: NullableJson<RemediationEvidence>;
  render_id: string | null;
  operation_id: string | null;
  rejection_reason: string | null;
  failure: NullableJson<RenderFailure>;
  accepted_at: Date | null;
  expires_at: Date;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
};

export type ChangeRequestTokensTable = {
  id: string;
  workspace_id: string;
  repository_change_request_id: string;
  token_hash: string;
  scope: 'read' | 'write';
  expires_at: Date;
  created_at: CreatedAt;
};

export type InstallTables = {
  package_artifacts: PackageArtifactsTable;
  repositories: RepositoriesTable;
  packages: PackagesTable;
  package_versions: PackageVersionsTable;
  installs: InstallsTable;
  install_renders: InstallRendersTable;
  repository_change_requests: ChangeRequestsTable;
  repository_change_request_tokens: ChangeRequestTokensTable;
};
