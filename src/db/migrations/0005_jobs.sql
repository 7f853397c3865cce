-- The durable job queue (job_…) shared by renders and agent runs: rows claimed with FOR UPDATE SKIP
-- LOCKED under a lease that a live worker renews; an expired lease means the worker died.

CREATE TABLE jobs (
  seq               bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                text PRIMARY KEY,
  workspace_id      text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  kind              text NOT NULL,
  payload           jsonb NOT NULL,
  -- Jobs with the same serial key run one at a time, oldest first (e.g. the renders of one install).
  serial_key        text,
  state             text NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
  attempts          integer NOT NULL DEFAULT 0,
  max_attempts      integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1),
  run_after         timestamptz NOT NULL DEFAULT now(),
  lease_owner       text,
  lease_until       timestamptz,
  cancel_requested  boolean NOT NULL DEFAULT false,
  last_error        text,
  result            jsonb,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz
);
CREATE INDEX jobs_ready ON jobs (run_after, seq) WHERE state = 'queued';
CREATE INDEX jobs_leases ON jobs (lease_until) WHERE state = 'running';
CREATE INDEX jobs_serial ON jobs (serial_key, seq) WHERE serial_key IS NOT NULL AND state IN ('queued', 'running');
CREATE INDEX jobs_workspace ON jobs (workspace_id, seq DESC);
