-- Platform: workspaces, their members (JWT subjects), API tokens and idempotency records.

CREATE TABLE workspaces (
  seq             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id              text PRIMARY KEY,
  name            text NOT NULL,
  slug            text NOT NULL UNIQUE,
  plan_tier       text NOT NULL DEFAULT 'self_hosted',
  workspace_class text NOT NULL DEFAULT 'standard',
  created_by      text NOT NULL,
  version         integer NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Subjects of OAuth2 JWTs that may act in a workspace (besides the JWT's own workspaces claim).
CREATE TABLE workspace_members (
  workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  subject      text NOT NULL,
  role         text NOT NULL DEFAULT 'owner',
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, subject)
);
CREATE INDEX workspace_members_subject ON workspace_members (subject);

-- Workspace API tokens; only the SHA-256 of the token is kept.
CREATE TABLE api_tokens (
  seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  id           text PRIMARY KEY,
  workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  name         text NOT NULL,
  prefix       text NOT NULL,
  token_hash   text NOT NULL UNIQUE,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  expires_at   timestamptz,
  revoked_at   timestamptz
);
CREATE INDEX api_tokens_workspace ON api_tokens (workspace_id, seq DESC);

-- Idempotency keys, scoped by (scope, operation, key); scope is a workspace id or "sub:<subject>".
CREATE TABLE idempotency_keys (
  scope            text NOT NULL,
  operation        text NOT NULL,
  key              text NOT NULL,
  request_hash     text NOT NULL,
  state            text NOT NULL CHECK (state IN ('in_flight', 'done')),
  locked_until     timestamptz,
  response_status  integer,
  response_headers jsonb,
  response_body    text,
  encrypted        boolean NOT NULL DEFAULT false,
  created_at       timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz NOT NULL,
  PRIMARY KEY (scope, operation, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
