-- Registry connections: a workspace's credentials for an OCI registry (docs/packages.md). The secret part
-- is write-only: stored sealed with the server's env key, bound to the connection id, never returned. One
-- connection per registry address in a workspace, so a pull knows which credential to present.
CREATE TABLE registry_connections (
  seq            bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  workspace_id   text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id             text NOT NULL,
  name           text NOT NULL,
  registry_url   text NOT NULL,
  type           text NOT NULL CHECK (type IN ('basic', 'token')),
  credentials    jsonb NOT NULL,
  is_active      boolean NOT NULL DEFAULT true,
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  last_used_at   timestamptz,
  PRIMARY KEY (workspace_id, id),
  CONSTRAINT registry_connections_url UNIQUE (workspace_id, registry_url)
);
