-- Regions: named groupings of a workspace, which installs name (docs/regions-and-quotas.md). Every
-- workspace has the region `local` (its id and its name), created with the workspace; existing ones get
-- it here. Other regions have `reg_…` ids. Names are unique in a workspace.
CREATE TABLE regions (
  seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  workspace_id text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id           text NOT NULL,
  name         text NOT NULL,
  icon         text,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  CONSTRAINT regions_name UNIQUE (workspace_id, name)
);

INSERT INTO regions (workspace_id, id, name, created_by, created_at)
SELECT id, 'local', 'local', 'system', created_at FROM workspaces ORDER BY seq;

-- An install's region is one of its workspace's (until now every install was in `local`).
ALTER TABLE installs
  ADD CONSTRAINT installs_region FOREIGN KEY (workspace_id, region_id) REFERENCES regions (workspace_id, id);
