/** Kysely row types of the platform tables (src/db/migrations/0001_platform.sql, 0011_workspace_member_roles.sql). */
import type { ColumnType, Generated } from 'kysely';
import type { WorkspaceRole } from './members/schemas.ts';

type CreatedAt = ColumnType<Date, Date | undefined, never>;
type Timestamp = ColumnType<Date, Date | undefined, Date>;

export type WorkspacesTable = {
  seq: Generated<number>;
  id: string;
  name: string;
  slug: string;
  plan_tier: Generated<string>;
  workspace_class: Generated<string>;
  created_by: string;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
};

export type WorkspaceMembersTable = {
  seq: Generated<number>;
  /** `wsm_…` (0011_workspace_member_roles.sql). */
  id: string;
  workspace_id: string;
  subject: string;
  role: ColumnType<WorkspaceRole, WorkspaceRole | undefined, WorkspaceRole>;
  created_at: CreatedAt;
};

export type ApiTokensTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  name: string;
  prefix: string;
  token_hash: string;
  created_by: string;
  created_at: CreatedAt;
  last_used_at: Date | null;
  expires_at: Date | null;
  revoked_at: Date | null;
};

export type PlatformTables = {
  workspaces: WorkspacesTable;
  workspace_members: WorkspaceMembersTable;
  api_tokens: ApiTokensTable;
};
