-- Long-running operations (op_…): every asynchronous action leaves one of these behind.

CREATE TABLE operations (
  seq                 bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id                  text PRIMARY KEY,
  workspace_id        text,
  owner_type          text NOT NULL,
  owner_id            text NOT NULL,
  parent_operation_id text,
  state               text NOT NULL CHECK (state IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
  metadata            jsonb NOT NULL,
  response            jsonb,
  error               jsonb,
  last_error          jsonb,
  steps               jsonb NOT NULL DEFAULT '[]'::jsonb,
  started_at          timestamptz NOT NULL DEFAULT now(),
  completed_at        timestamptz,
  updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX operations_owner ON operations (workspace_id, owner_type, owner_id, seq DESC);
