-- Workspace members as the published WorkspaceMember resource: each gets an id (wsm_…) and a seq that
-- orders them by joining; roles are the published enum (owner, admin, member; docs/workspaces.md).
-- Rows that exist already (the creators of workspaces, all owners) get a random id.
ALTER TABLE workspace_members ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE workspace_members ADD COLUMN id text;
UPDATE workspace_members
  SET id = 'wsm_' || substr(translate(md5(gen_random_uuid()::text), '0189', 'wxyz'), 1, 26);
ALTER TABLE workspace_members ALTER COLUMN id SET NOT NULL;
ALTER TABLE workspace_members ADD CONSTRAINT workspace_members_id UNIQUE (id);
ALTER TABLE workspace_members
  ADD CONSTRAINT workspace_members_role CHECK (role IN ('owner', 'admin', 'member'));
CREATE INDEX workspace_members_order ON workspace_members (workspace_id, seq);
