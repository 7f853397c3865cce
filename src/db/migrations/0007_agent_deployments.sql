-- Agent deployments (adpl_…), their immutable versions (adpv_…), content-addressed blobs (bundles and
-- run outputs), job runs (adrun_…) with their logs and outputs, and service instances (adsvc_…).
-- Env values sent with runs and services are never stored here (docs/agent-deployments.md).

CREATE TABLE agent_deployments (
  seq                  bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                   text PRIMARY KEY,
  workspace_id         text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  name                 text NOT NULL,
  mode                 text NOT NULL CHECK (mode IN ('job', 'service')),
  status               text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'deleted')),
  description          text,
  metadata             jsonb NOT NULL DEFAULT '{}',
  active_version_id    text,
  -- The number the next version gets.
  next_version_number  integer NOT NULL DEFAULT 1,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  deleted_at           timestamptz
);
CREATE INDEX agent_deployments_workspace ON agent_deployments (workspace_id, seq DESC);
-- Names are unique among a workspace's live deployments (the CLI deploys by name).
CREATE UNIQUE INDEX agent_deployments_name ON agent_deployments (workspace_id, name) WHERE deleted_at IS NULL;

-- Blobs addressed by the SHA-256 of their bytes, kept in the database so that every process sees them.
CREATE TABLE agent_blobs (
  workspace_id  text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  digest        text NOT NULL CHECK (digest ~ '^sha256:[0-9a-f]{64}$'),
  size          bigint NOT NULL,
  content       bytea NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, digest)
);

CREATE TABLE agent_deployment_versions (
  seq              bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id               text PRIMARY KEY,
  workspace_id     text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  deployment_id    text NOT NULL REFERENCES agent_deployments (id) ON DELETE CASCADE,
  version_number   integer NOT NULL,
  status           text NOT NULL DEFAULT 'created'
                   CHECK (status IN ('created', 'building', 'ready', 'failed', 'superseded')),
  cache_policy     text NOT NULL DEFAULT 'auto' CHECK (cache_policy IN ('auto', 'no_cache', 'rebuild')),
  config           jsonb NOT NULL,
  bundle_manifest  jsonb NOT NULL,
  bundle_digest    text NOT NULL,
  -- Set once the bundle is uploaded.
  uploaded_at      timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (deployment_id, version_number)
);
CREATE INDEX agent_versions_deployment ON agent_deployment_versions (deployment_id, seq DESC);

CREATE TABLE agent_runs (
  seq                bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                 text PRIMARY KEY,
  workspace_id       text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  deployment_id      text NOT NULL REFERENCES agent_deployments (id) ON DELETE CASCADE,
  version_id         text NOT NULL REFERENCES agent_deployment_versions (id) ON DELETE CASCADE,
  mode               text NOT NULL DEFAULT 'job' CHECK (mode IN ('job', 'service')),
  status             text NOT NULL DEFAULT 'queued'
                     CHECK (status IN ('queued', 'starting', 'installing', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out')),
  input              jsonb NOT NULL DEFAULT '{}',
  retain_on_failure  boolean,
  retention_seconds  bigint,
  sandbox_id         text,
  process_id         bigint,
  exit_code          integer,
  failure_reason     text,
  output_manifest    jsonb,
  idempotency_key    text,
  -- The agent turn this run serves (agents with a deployment runtime).
  turn_id            text,
  job_id             text,
  cancel_requested   boolean NOT NULL DEFAULT false,
  -- Log volume kept so far, and whether later output was dropped.
  log_bytes          bigint NOT NULL DEFAULT 0,
  log_truncated      boolean NOT NULL DEFAULT false,
  -- A failed run's sandbox directory is kept until then (retention), and removed_at says it is gone.
  retained_until     timestamptz,
  sandbox_removed_at timestamptz,
  started_at         timestamptz,
  completed_at       timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_runs_deployment ON agent_runs (deployment_id, seq DESC);
CREATE INDEX agent_runs_active ON agent_runs (status) WHERE status IN ('queued', 'starting', 'installing', 'running');
CREATE INDEX agent_runs_retained ON agent_runs (retained_until) WHERE retained_until IS NOT NULL AND sandbox_removed_at IS NULL;

CREATE TABLE agent_run_outputs (
  run_id        text NOT NULL REFERENCES agent_runs (id) ON DELETE CASCADE,
  workspace_id  text NOT NULL,
  path          text NOT NULL,
  size          bigint NOT NULL,
  digest        text NOT NULL,
  PRIMARY KEY (run_id, path)
);

CREATE TABLE agent_services (
  seq               bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                text PRIMARY KEY,
  workspace_id      text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  deployment_id     text NOT NULL REFERENCES agent_deployments (id) ON DELETE CASCADE,
  version_id        text NOT NULL REFERENCES agent_deployment_versions (id) ON DELETE CASCADE,
  status            text NOT NULL DEFAULT 'starting'
                    CHECK (status IN ('starting', 'ready', 'unhealthy', 'stopping', 'stopped', 'failed')),
  port              integer NOT NULL,
  sandbox_id        text,
  process_id        bigint,
  readiness_status  jsonb NOT NULL DEFAULT '{}',
  failure_reason    text,
  idempotency_key   text,
  job_id            text,
  -- Restarts so far; each restart starts a new job and sandbox.
  generation        integer NOT NULL DEFAULT 0,
  log_bytes         bigint NOT NULL DEFAULT 0,
  log_truncated     boolean NOT NULL DEFAULT false,
  started_at        timestamptz,
  stopped_at        timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_services_deployment ON agent_services (deployment_id, seq DESC);
CREATE INDEX agent_services_live ON agent_services (status) WHERE status IN ('starting', 'ready', 'unhealthy', 'stopping');

-- Output of runs and services, one row per line (or per chunk of a very long line), per owner in order.
CREATE TABLE agent_logs (
  owner_id   text NOT NULL,
  seq        integer NOT NULL,
  at         timestamptz NOT NULL,
  stream     text NOT NULL CHECK (stream IN ('stdout', 'stderr', 'system')),
  text       text NOT NULL,
  PRIMARY KEY (owner_id, seq)
);
