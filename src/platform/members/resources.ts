/** Row → resource mapper of workspace members (`to<Resource>`). */
import type { WorkspaceMember } from './schemas.ts';
import type { MemberRow } from './store.ts';

export function toWorkspaceMember(row: MemberRow): WorkspaceMember {
  return { id: row.id, user_id: row.subject, role: row.role, joined_at: row.created_at.toISOString() };
}
