/**
 * Workspace member schemas (Akua `WorkspaceMember`, `WorkspaceMemberList` and the inline request bodies
 * of workspaces.addMember / workspaces.updateMember). A member's user id is an OAuth2 JWT subject.
 */
import { z } from '@hono/zod-openapi';
import { listOf } from '../../http/schemas.ts';

/** The published roles, strongest first (docs/workspaces.md says what each may do). */
export const WORKSPACE_ROLES = ['owner', 'admin', 'member'] as const;
export const WorkspaceRole = z.enum(WORKSPACE_ROLES);
export type WorkspaceRole = z.infer<typeof WorkspaceRole>;

/** The roles a request may give: `owner` is held only by whoever created the workspace. */
const AssignableRole = z.enum(['admin', 'member']);

/** Longest user id kept (JWT subjects are short; this bounds the key the database indexes). */
export const MAX_USER_ID = 255;

export const UserId = z.string().min(1).max(MAX_USER_ID);

export const WorkspaceMember = z
  .object({
    id: z
      .string()
      .min(1)
      .max(54)
      .openapi({ description: 'Workspace member ID', example: 'wsm_j572abc123def456' }),
    user_id: z.string().openapi({ description: 'Member user ID', example: 'usr_j572abc123def456' }),
    role: WorkspaceRole,
    joined_at: z.string().openapi({ format: 'date-time', description: 'ISO 8601 join timestamp' }),
  })
  .openapi('WorkspaceMember');
export type WorkspaceMember = z.infer<typeof WorkspaceMember>;

export const WorkspaceMemberList = listOf(WorkspaceMember, 'WorkspaceMemberList');
export type WorkspaceMemberList = z.infer<typeof WorkspaceMemberList>;

export const AddMemberBody = z.strictObject({
  user_id: UserId.openapi({
    description: 'User ID (OAuth2 JWT subject) of the workspace member to add',
    example: 'user_abc123',
  }),
  role: AssignableRole,
});
export type AddMemberBody = z.infer<typeof AddMemberBody>;

export const UpdateMemberBody = z.strictObject({ role: AssignableRole });
export type UpdateMemberBody = z.infer<typeof UpdateMemberBody>;
