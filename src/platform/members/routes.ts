/** HTTP routes of /v1/workspaces/{id}/members: schema, auth and one service call each. */
import { createRoute, z } from '@hono/zod-openapi';
import { requireCaller } from '../../http/auth.ts';
import type { ApiApp } from '../../http/context.ts';
import { ApiError } from '../../http/errors.ts';
import { idempotent } from '../../http/idempotency.ts';
import {
  AkuaContextHeader,
  errorResponses,
  IdempotencyKeyHeader,
  json,
  jsonBody,
  pathId,
} from '../../http/schemas.ts';
import { validationError } from '../../http/validation.ts';
import { AddMemberBody, UpdateMemberBody, UserId, WorkspaceMember, WorkspaceMemberList } from './schemas.ts';
import type { MemberService } from './service.ts';

const tags = ['Workspaces'];
const security = [{ BearerAuth: [] }];
const IdParam = z.object({ id: pathId(53, 'Workspace ID') });
const MemberParams = z.object({
  id: pathId(53, 'Workspace ID'),
  userId: UserId.openapi({ description: 'Member user ID' }),
});
const Headers = z.object({ 'akua-context': AkuaContextHeader });
const WriteHeaders = Headers.extend({ 'idempotency-key': IdempotencyKeyHeader.optional() });

const list = createRoute({
  method: 'get',
  path: '/v1/workspaces/{id}/members',
  operationId: 'workspaces.listMembers',
  tags,
  security,
  summary: 'List workspace members',
  description: 'Returns the members and roles for a workspace, in the order they joined (all of them).',
  middleware: [requireCaller] as const,
  request: { params: IdParam, headers: Headers },
  responses: { 200: json(WorkspaceMemberList, 'Workspace members'), ...errorResponses(400, 401, 403, 404) },
});

const add = createRoute({
  method: 'post',
  path: '/v1/workspaces/{id}/members',
  operationId: 'workspaces.addMember',
  tags,
  security,
  summary: 'Add workspace member',
  description:
    'Adds a user (an OAuth2 JWT subject) to a workspace with the requested role. Needs the owner or admin role.',
  middleware: [requireCaller] as const,
  request: { params: IdParam, headers: WriteHeaders, body: jsonBody(AddMemberBody) },
  responses: { 201: json(WorkspaceMember, 'Workspace member added'), ...errorResponses(401, 403, 409, 422) },
});

const update = createRoute({
  method: 'patch',
  path: '/v1/workspaces/{id}/members/{userId}',
  operationId: 'workspaces.updateMember',
  tags,
  security,
  summary: 'Update workspace member role',
  description:
    "Updates the role of a workspace member. Needs the owner or admin role; an owner's role only an owner may change, and the last owner cannot be demoted (409).",
  middleware: [requireCaller] as const,
  request: { params: MemberParams, headers: WriteHeaders, body: jsonBody(UpdateMemberBody) },
  responses: {
    200: json(WorkspaceMember, 'Workspace member updated'),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/workspaces/{id}/members/{userId}',
  operationId: 'workspaces.removeMember',
  tags,
  security,
  summary: 'Remove workspace member',
  description:
    'Removes a user from a workspace. Anyone may remove themselves; removing others needs the owner or admin role, removing an owner the owner role; the last owner cannot be removed (409).',
  middleware: [requireCaller] as const,
  request: { params: MemberParams, headers: WriteHeaders },
  responses: { 204: { description: 'Workspace member removed' }, ...errorResponses(400, 401, 403, 404, 409) },
});

/** workspaces.updateMember publishes 400, not 422, for a body it cannot take: its validation says 400. */
function bodyProblemsAre400(
  result:
    { target: string; success: true; data: unknown } | { target: string; success: false; error: z.ZodError },
): undefined {
  if (result.success) return undefined;
  const error = validationError(result.target as 'json', result.error);
  if (error.status !== 'INVALID_ARGUMENT') throw error;
  throw new ApiError('BAD_REQUEST', error.details[0]!, { more: error.details.slice(1) });
}

export function registerMemberRoutes(app: ApiApp, service: MemberService): void {
  app.openapi(list, async (c) => c.json(await service.list(c.var.caller, c.req.valid('param').id), 200));

  app.openapi(
    add,
    idempotent({ operation: 'workspaces.addMember' }, async (c) => {
      const { id } = c.req.valid('param');
      const member = await service.add(c.var.caller, id, c.req.valid('json'));
      c.header('location', `/v1/workspaces/${id}/members/${encodeURIComponent(member.user_id)}`);
      return c.json(member, 201);
    }),
  );

  app.openapi(
    update,
    idempotent({ operation: 'workspaces.updateMember' }, async (c) => {
      const { id, userId } = c.req.valid('param');
      return c.json(await service.update(c.var.caller, id, userId, c.req.valid('json')), 200);
    }),
    bodyProblemsAre400,
  );

  app.openapi(
    remove,
    idempotent({ operation: 'workspaces.removeMember' }, async (c) => {
      const { id, userId } = c.req.valid('param');
      await service.remove(c.var.caller, id, userId);
      return c.body(null, 204);
    }),
  );
}
