/**
 * Workspace members (docs/workspaces.md): every role may list them; owners and admins add members,
 * change roles and remove members; only an owner may change or remove an owner; anyone may leave; the
 * last owner can neither leave, be removed nor be demoted. Each change runs in one transaction holding
 * the workspace row's lock, so the owner count it checks cannot change under it.
 */
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../db/errors.ts';
import type { DB } from '../../db/schema.ts';
import type { Caller } from '../../http/context.ts';
import { ApiError, conflict, failedPrecondition, forbidden } from '../../http/errors.ts';
import { hasRole, roleIn, roleTooWeak } from '../access.ts';
import type {
  AddMemberBody,
  UpdateMemberBody,
  WorkspaceMember,
  WorkspaceMemberList,
  WorkspaceRole,
} from './schemas.ts';
import { toWorkspaceMember } from './resources.ts';
import * as store from './store.ts';

/** Most members a workspace may have (the published list has no paging parameters: it is served whole). */
export const MAX_MEMBERS = 1000;

export type MemberService = ReturnType<typeof createMemberService>;

/** 404 for a user who is not a member of the workspace. */
function memberNotFound(workspaceId: string, userId: string): ApiError {
  return new ApiError('NOT_FOUND', {
    message: `user ${userId} is not a member of workspace ${workspaceId}`,
    path: ['path', 'userId'],
    metadata: { id: userId },
  });
}

/** 409 for a change that would leave the workspace without an owner. */
function lastOwner(workspaceId: string, userId: string, change: string): ApiError {
  return failedPrecondition(
    `user ${userId} is the last owner of workspace ${workspaceId} and cannot be ${change}`,
    { hint: 'a workspace keeps at least one owner; delete the workspace instead if it is no longer needed' },
  );
}

export function createMemberService({ db }: { db: Kysely<DB> }) {
  /**
   * The caller's role in the workspace (locking it when `trx` is a transaction); 403 when it may not
   * act there or the workspace does not exist, as for any workspace a credential names.
   */
  async function callerRole(executor: Kysely<DB>, caller: Caller, workspaceId: string, lock: boolean) {
    const exists = lock ? await store.lockWorkspace(executor, workspaceId) : true;
    const role = exists ? await roleIn(executor, caller.credential, workspaceId) : undefined;
    if (role === undefined) throw forbidden(`this credential may not act in workspace ${workspaceId}`);
    return role;
  }

  const isSelf = (caller: Caller, userId: string) =>
    caller.credential.kind === 'jwt' && caller.credential.subject === userId;

  const requireManager = (workspaceId: string, role: WorkspaceRole, action: string) => {
    if (!hasRole(role, 'admin')) throw roleTooWeak(workspaceId, role, 'admin', action);
  };

  return {
    async list(caller: Caller, workspaceId: string): Promise<WorkspaceMemberList> {
      await callerRole(db, caller, workspaceId, false);
      const rows = await store.listMembers(db, workspaceId);
      return { data: rows.map(toWorkspaceMember), has_more: false, next_cursor: null };
    },

    async add(caller: Caller, workspaceId: string, body: AddMemberBody): Promise<WorkspaceMember> {
      return db.transaction().execute(async (trx) => {
        requireManager(workspaceId, await callerRole(trx, caller, workspaceId, true), 'adding members');
        const existing = await store.findMember(trx, workspaceId, body.user_id);
        if (existing) {
          throw conflict(
            `user ${body.user_id} is already a member of workspace ${workspaceId} (role ${existing.role}); change their role with PATCH /v1/workspaces/${workspaceId}/members/{userId}`,
            ['body', 'user_id'],
          );
        }
        if ((await store.countMembers(trx, workspaceId)).members >= MAX_MEMBERS) {
          throw failedPrecondition(
            `workspace ${workspaceId} has ${MAX_MEMBERS} members, the most it may have`,
          );
        }
        try {
          return toWorkspaceMember(
            await store.insertMember(trx, { workspaceId, subject: body.user_id, role: body.role }),
          );
        } catch (error) {
          if (isUniqueViolation(error))
            throw conflict(`user ${body.user_id} is already a member of workspace ${workspaceId}`, [
              'body',
              'user_id',
            ]);
          throw error;
        }
      });
    },

    async update(
      caller: Caller,
      workspaceId: string,
      userId: string,
      body: UpdateMemberBody,
    ): Promise<WorkspaceMember> {
      return db.transaction().execute(async (trx) => {
        const role = await callerRole(trx, caller, workspaceId, true);
        requireManager(workspaceId, role, "changing members' roles");
        const target = await store.findMember(trx, workspaceId, userId);
        if (!target) throw memberNotFound(workspaceId, userId);
        if (target.role === body.role) return toWorkspaceMember(target);
        if (target.role === 'owner') {
          if (role !== 'owner') throw roleTooWeak(workspaceId, role, 'owner', "changing an owner's role");
          if ((await store.countMembers(trx, workspaceId)).owners <= 1)
            throw lastOwner(workspaceId, userId, `made ${body.role}`);
        }
        const updated = await store.setMemberRole(trx, workspaceId, userId, body.role);
        if (!updated) throw memberNotFound(workspaceId, userId);
        return toWorkspaceMember(updated);
      });
    },

    async remove(caller: Caller, workspaceId: string, userId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const role = await callerRole(trx, caller, workspaceId, true);
        const self = isSelf(caller, userId);
        if (!self) requireManager(workspaceId, role, 'removing other members');
        const target = await store.findMember(trx, workspaceId, userId);
        if (!target) throw memberNotFound(workspaceId, userId);
        if (target.role === 'owner') {
          if (!self && role !== 'owner') throw roleTooWeak(workspaceId, role, 'owner', 'removing an owner');
          if ((await store.countMembers(trx, workspaceId)).owners <= 1)
            throw lastOwner(workspaceId, userId, 'removed');
        }
        await store.deleteMember(trx, workspaceId, userId);
      });
    },
  };
}
