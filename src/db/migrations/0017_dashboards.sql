-- Dashboards (docs/dashboards.md): a dashboard holds its current definition (name, description, filters
-- and widgets, as one document) and points at the revision that recorded it. Every change writes one
-- immutable revision, a snapshot of the whole definition, in the same transaction as the dashboard's
-- new state. Each workspace has at most one workspace overview.
CREATE TABLE dashboards (
  seq                   bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                    text PRIMARY KEY,
  workspace_id          text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  purpose               text NOT NULL CHECK (purpose IN ('workspace_overview', 'custom')),
  name                  text NOT NULL,
  description           text,
  filter_definitions    jsonb NOT NULL,
  default_filter_values jsonb NOT NULL,
  widgets               jsonb NOT NULL,
  active_revision_id    text NOT NULL,
  created_by            text NOT NULL,
  version               integer NOT NULL DEFAULT 1,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  deleted_at            timestamptz
);
CREATE INDEX dashboards_workspace ON dashboards (workspace_id, seq DESC) WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX dashboards_one_overview ON dashboards (workspace_id) WHERE purpose = 'workspace_overview';

CREATE TABLE dashboard_revisions (
  seq                       bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                        text PRIMARY KEY,
  dashboard_id              text NOT NULL REFERENCES dashboards (id) ON DELETE CASCADE,
  workspace_id              text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  parent_revision_id        text,
  restored_from_revision_id text,
  source                    text NOT NULL CHECK (source IN ('manual', 'automatic', 'restore', 'reset', 'backfill')),
  author_id                 text NOT NULL,
  summary                   text,
  definition                jsonb NOT NULL,
  structural_diff           jsonb,
  created_at                timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dashboard_revisions_dashboard ON dashboard_revisions (dashboard_id, seq DESC);
