-- Snippets (snp_…): stored async JavaScript function bodies; and their runs (snr_…), each written once
-- after its execution ended.

CREATE TABLE snippets (
  seq                     bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                      text PRIMARY KEY,
  workspace_id            text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  name                    text NOT NULL,
  description             text,
  code                    text NOT NULL,
  display_type            text NOT NULL,
  inputs                  jsonb NOT NULL DEFAULT '[]'::jsonb,
  visibility              text NOT NULL DEFAULT 'workspace',
  origin                  text NOT NULL DEFAULT 'user',
  purpose                 text NOT NULL DEFAULT 'general',
  agent_session_id        text,
  agent_turn_id           text,
  result_contract_version integer,
  result_type             text,
  default_visualization   text,
  created_by              text NOT NULL,
  version                 integer NOT NULL DEFAULT 1,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  archived_at             timestamptz,
  -- The result contract is all three fields or none (the legacy snippet).
  CONSTRAINT snippets_contract_all_or_none CHECK (
    (result_contract_version IS NULL) = (result_type IS NULL)
    AND (result_type IS NULL) = (default_visualization IS NULL)
  )
);
-- GET /v1/snippets lists the active snippets of a workspace, newest first.
CREATE INDEX snippets_active ON snippets (workspace_id, seq DESC) WHERE archived_at IS NULL;

CREATE TABLE snippet_runs (
  seq                     bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                      text PRIMARY KEY,
  workspace_id            text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  -- No foreign key to snippets: snippets are archived, never deleted, except with their workspace,
  -- whose cascade removes the runs too; the check would cost every insert for nothing.
  snippet_id              text NOT NULL,
  source                  text NOT NULL
                          CHECK (source IN ('manual', 'dashboard_open', 'dashboard_refresh', 'agent')),
  snippet_name            text NOT NULL,
  snippet_etag            text NOT NULL,
  dashboard_id            text,
  dashboard_name          text,
  widget_id               text,
  widget_title            text,
  run_by                  text NOT NULL,
  agent_session_id        text,
  agent_turn_id           text,
  -- Terminal states only: a run row is written once execution has ended.
  state                   text NOT NULL CHECK (state IN ('succeeded', 'failed', 'timed_out')),
  inputs                  jsonb NOT NULL DEFAULT '{}'::jsonb,
  overrides               jsonb NOT NULL DEFAULT '{}'::jsonb,
  output                  jsonb,
  error                   jsonb,
  duration_ms             double precision NOT NULL,
  stats                   jsonb NOT NULL,
  -- Console output of the run (bounded), and how many entries were dropped past the bound.
  logs                    jsonb NOT NULL DEFAULT '[]'::jsonb,
  logs_dropped            integer NOT NULL DEFAULT 0,
  result_contract_version integer,
  result_type             text,
  default_visualization   text,
  version                 integer NOT NULL DEFAULT 1,
  created_at              timestamptz NOT NULL DEFAULT now()
);
-- GET /v1/snippet_runs (workspace history, filtered by state or source), newest first.
CREATE INDEX snippet_runs_workspace ON snippet_runs (workspace_id, seq DESC);
-- GET /v1/snippets/{id}/runs and GET /v1/snippet_runs?snippet=.
CREATE INDEX snippet_runs_snippet ON snippet_runs (snippet_id, seq DESC);
-- GET /v1/snippet_runs?dashboard=.
CREATE INDEX snippet_runs_dashboard ON snippet_runs (dashboard_id, seq DESC) WHERE dashboard_id IS NOT NULL;
