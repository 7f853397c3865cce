/**
 * HTTP routes of repository change requests: create, list, get, the verbs :createToken, :accept,
 * :reject and :withdraw (each with an idempotency-key; the state changes also with if-match), and (Atoll
 * extension) the diff of the fork against its base.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { requireWorkspace } from '../../http/auth.ts';
import type { ApiApp } from '../../http/context.ts';
import { setEtagHeader } from '../../http/etag.ts';
import { idempotent } from '../../http/idempotency.ts';
import { pageRequest } from '../../http/pagination.ts';
import {
  errorResponses,
  IdempotencyKeyHeader,
  IfMatchHeader,
  json,
  pathId,
  WorkspaceHeaders,
} from '../../http/schemas.ts';
import {
  AcceptResponse,
  CreateRepositoryChangeRequestBody,
  CreateTokenBody,
  CreateTokenResponse,
  ListChangeRequestsQuery,
  RejectBody,
  RejectResponse,
  RepositoryChangeRequest,
  RepositoryChangeRequestDiff,
  RepositoryChangeRequestList,
  WithdrawResponse,
} from './schemas.ts';
import type { ChangeRequestService } from './service.ts';

const tags = ['Repository change requests'];
const security = [{ BearerAuth: [] }];
const IdParam = z.object({ id: pathId(54, 'Repository change request ID') });
const KeyHeaders = WorkspaceHeaders.extend({ 'idempotency-key': IdempotencyKeyHeader });
const StateHeaders = KeyHeaders.extend({ 'if-match': IfMatchHeader });

const create = createRoute({
  method: 'post',
  path: '/v1/repository_change_requests',
  operationId: 'repositoryChangeRequests.create',
  tags,
  security,
  summary: 'Create repository change request',
  description:
    "Forks an install repository at its main branch for a reviewed change. Push to the fork's `main` with a token from :createToken (`fork_remote_url`), then :accept renders the fork's inputs.yaml and package.yaml and merges the result into the install's main branch.",
  middleware: [requireWorkspace] as const,
  request: {
    headers: KeyHeaders,
    body: { content: { 'application/json': { schema: CreateRepositoryChangeRequestBody } }, required: true },
  },
  responses: {
    201: json(RepositoryChangeRequest, 'Repository change request created'),
    ...errorResponses(400, 401, 403, 404, 409, 415),
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/repository_change_requests',
  operationId: 'repositoryChangeRequests.list',
  tags,
  security,
  summary: 'List repository change requests',
  description: 'Newest first; filter by state, parent_repository, fork_repository or agent.',
  middleware: [requireWorkspace] as const,
  request: { query: ListChangeRequestsQuery, headers: WorkspaceHeaders },
  responses: {
    200: json(RepositoryChangeRequestList, 'Repository change requests'),
    ...errorResponses(400, 401, 403),
  },
});

const get = createRoute({
  method: 'get',
  path: '/v1/repository_change_requests/{id}',
  operationId: 'repositoryChangeRequests.get',
  tags,
  security,
  summary: 'Get repository change request',
  description: 'Returns one repository change request.',
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, headers: WorkspaceHeaders },
  responses: {
    200: json(RepositoryChangeRequest, 'Repository change request'),
    ...errorResponses(400, 401, 403, 404),
  },
});

const diff = createRoute({
  method: 'get',
  path: '/v1/repository_change_requests/{id}/diff',
  operationId: 'repositoryChangeRequests.getDiff',
  tags,
  security,
  summary: 'Get repository change request diff',
  description:
    "Atoll extension: what accepting the request would change: the head of the fork's main against `base_sha`, where the fork started (no files until something is pushed). Each changed file with its status, line counts and unified patch, capped at 1000 files, 256 KiB per patch and 2 MiB in all (`truncated`). 409 once the fork is gone (WITHDRAWN, EXPIRED). docs/installs.md.",
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, headers: WorkspaceHeaders },
  responses: {
    200: json(RepositoryChangeRequestDiff, 'Repository change request diff'),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const createToken = createRoute({
  method: 'post',
  path: '/v1/repository_change_requests/{id}:createToken',
  operationId: 'repositoryChangeRequests.createToken',
  tags,
  security,
  summary: 'Create fork token',
  description:
    "Returns a short-lived git token for the fork (default one hour): `write` may push to the fork's main branch only, `read` may clone it. Use it as the password of `fork_remote_url` (any user name) or as a bearer token. Shown once; a replay with the same idempotency-key returns the same token.",
  middleware: [requireWorkspace] as const,
  request: {
    params: IdParam,
    headers: KeyHeaders,
    body: { content: { 'application/json': { schema: CreateTokenBody } }, required: false },
  },
  responses: {
    201: json(CreateTokenResponse, 'Token created'),
    ...errorResponses(400, 401, 403, 404, 409),
  },
});

const accept = createRoute({
  method: 'post',
  path: '/v1/repository_change_requests/{id}:accept',
  operationId: 'repositoryChangeRequests.accept',
  tags,
  security,
  summary: 'Accept repository change request',
  description:
    "Validates the fork by rendering it and merges the result into the install repository's main branch: a render carrying `repository_change_request_id`, reported by `operation_id`. The request is ACCEPTED when that render deploys, FAILED (with `failure`) when it does not.",
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, headers: StateHeaders },
  responses: {
    200: json(AcceptResponse, 'Repository change request accepted'),
    ...errorResponses(400, 401, 403, 404, 409, 428),
  },
});

const reject = createRoute({
  method: 'post',
  path: '/v1/repository_change_requests/{id}:reject',
  operationId: 'repositoryChangeRequests.reject',
  tags,
  security,
  summary: 'Reject repository change request',
  description: 'Closes the request as REJECTED with a reason; the fork stays readable.',
  middleware: [requireWorkspace] as const,
  request: {
    params: IdParam,
    headers: StateHeaders,
    body: { content: { 'application/json': { schema: RejectBody } }, required: true },
  },
  responses: {
    200: json(RejectResponse, 'Repository change request rejected'),
    ...errorResponses(400, 401, 403, 404, 409, 415, 422, 428),
  },
});

const withdraw = createRoute({
  method: 'post',
  path: '/v1/repository_change_requests/{id}:withdraw',
  operationId: 'repositoryChangeRequests.withdraw',
  tags,
  security,
  summary: 'Withdraw repository change request',
  description: 'Closes the request as WITHDRAWN and deletes its fork.',
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, headers: StateHeaders },
  responses: {
    200: json(WithdrawResponse, 'Repository change request withdrawn'),
    ...errorResponses(400, 401, 403, 404, 409, 428),
  },
});

export function registerChangeRequestRoutes(app: ApiApp, service: ChangeRequestService): void {
  app.openapi(
    create,
    idempotent({ operation: 'repositoryChangeRequests.create' }, async (c) => {
      const rcr = await service.create(c.var.workspaceId, c.var.caller, c.req.valid('json'));
      c.header('location', `/v1/repository_change_requests/${rcr.id}`);
      setEtagHeader(c, rcr.etag);
      return c.json(rcr, 201);
    }),
  );

  app.openapi(list, async (c) => {
    const query = c.req.valid('query');
    const filter = {
      state: query.state,
      parentRepositoryId: query.parent_repository,
      forkRepositoryId: query.fork_repository,
      agentId: query.agent,
    };
    return c.json(await service.list(c.var.workspaceId, filter, pageRequest(query)), 200);
  });

  app.openapi(get, async (c) => {
    const rcr = await service.get(c.var.workspaceId, c.req.valid('param').id);
    setEtagHeader(c, rcr.etag);
    return c.json(rcr, 200);
  });

  app.openapi(diff, async (c) => c.json(await service.diff(c.var.workspaceId, c.req.valid('param').id), 200));

  app.openapi(
    createToken,
    idempotent({ operation: 'repositoryChangeRequests.createToken', secret: true }, async (c) => {
      const body = CreateTokenBody.parse(c.req.valid('json') ?? {});
      return c.json(await service.createToken(c.var.workspaceId, c.req.valid('param').id, body), 201);
    }),
  );

  app.openapi(
    accept,
    idempotent({ operation: 'repositoryChangeRequests.accept' }, async (c) => {
      const { id } = c.req.valid('param');
      const { operationId, acceptedAt } = await service.accept(
        { workspaceId: c.var.workspaceId, caller: c.var.caller },
        { id, ifMatch: c.req.valid('header')['if-match'] },
      );
      return c.json(
        { repository_change_request_id: id, operation_id: operationId, accepted_at: acceptedAt },
        200,
      );
    }),
  );

  app.openapi(
    reject,
    idempotent({ operation: 'repositoryChangeRequests.reject' }, async (c) => {
      const { id } = c.req.valid('param');
      const at = await service.reject(
        c.var.workspaceId,
        id,
        c.req.valid('header')['if-match'],
        c.req.valid('json').rejection_reason,
      );
      return c.json({ repository_change_request_id: id, rejected_at: at }, 200);
    }),
  );

  app.openapi(
    withdraw,
    idempotent({ operation: 'repositoryChangeRequests.withdraw' }, async (c) => {
      const { id } = c.req.valid('param');
      const at = await service.withdraw(c.var.workspaceId, id, c.req.valid('header')['if-match']);
      return c.json({ repository_change_request_id: id, withdrawn_at: at }, 200);
    }),
  );
}
