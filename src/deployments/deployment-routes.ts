/** HTTP routes of deployments and their versions (create, get, list, delete; version create, list, get, bundle upload). */
import { createRoute, z } from '@hono/zod-openapi';
import { requireWorkspace } from '../http/auth.ts';
import { uploadLimit } from '../http/body-limit.ts';
import type { ApiApp } from '../http/context.ts';
import { idempotent } from '../http/idempotency.ts';
import { json, jsonBody } from '../http/schemas.ts';
import { Digest } from './bundles/manifest.ts';
import { pageRequest } from './page.ts';
import {
  AgentDeployment,
  AgentDeploymentList,
  AgentVersion,
  AgentVersionList,
  CreateDeploymentBody,
  CreateHeaders,
  CreateVersionBody,
  DeploymentListQuery,
  PageQuery,
  nullspaceErrors,
  ReadHeaders,
} from './schemas.ts';
import type { VersionService } from './versions/service.ts';
import type { DeploymentService } from './deployment-service.ts';

const tags = ['Agent deployments'];
const security = [{ BearerAuth: [] }];
const DeploymentParams = z.object({ deployment_id: z.string().min(1).max(64) });
const VersionParams = DeploymentParams.extend({ version_id: z.string().min(1).max(64) });
const BASE = '/v1/agent-deployments';

const create = createRoute({
  method: 'post',
  path: BASE,
  operationId: 'agentDeployments.create',
  tags,
  security,
  summary: 'Create an agent deployment',
  description: 'Creates a named deployment (names are unique among the workspace’s live deployments).',
  middleware: [requireWorkspace] as const,
  request: { headers: CreateHeaders, body: jsonBody(CreateDeploymentBody) },
  responses: {
    201: json(AgentDeployment, 'Deployment created'),
    ...nullspaceErrors(400, 401, 403, 409, 422),
  },
});

const list = createRoute({
  method: 'get',
  path: BASE,
  operationId: 'agentDeployments.list',
  tags,
  security,
  summary: 'List agent deployments',
  description: 'Newest first; deleted deployments only with status=deleted.',
  middleware: [requireWorkspace] as const,
  request: { headers: ReadHeaders, query: DeploymentListQuery },
  responses: { 200: json(AgentDeploymentList, 'Deployments'), ...nullspaceErrors(400, 401, 403) },
});

const get = createRoute({
  method: 'get',
  path: `${BASE}/{deployment_id}`,
  operationId: 'agentDeployments.get',
  tags,
  security,
  summary: 'Get an agent deployment',
  middleware: [requireWorkspace] as const,
  request: { headers: ReadHeaders, params: DeploymentParams },
  responses: { 200: json(AgentDeployment, 'Deployment'), ...nullspaceErrors(400, 401, 403, 404) },
});

const remove = createRoute({
  method: 'delete',
  path: `${BASE}/{deployment_id}`,
  operationId: 'agentDeployments.delete',
  tags,
  security,
  summary: 'Delete an agent deployment',
  description:
    'Soft delete: status becomes deleted (its name is free again), active runs are cancelled and services stopped. Deleting a deleted deployment returns it unchanged.',
  middleware: [requireWorkspace] as const,
  request: { headers: ReadHeaders, params: DeploymentParams },
  responses: { 200: json(AgentDeployment, 'Deployment deleted'), ...nullspaceErrors(400, 401, 403, 404) },
});

const createVersion = createRoute({
  method: 'post',
  path: `${BASE}/{deployment_id}/versions`,
  operationId: 'agentDeploymentVersions.create',
  tags,
  security,
  summary: 'Create an agent deployment version',
  description:
    'An immutable version holding metadata only (config and bundle manifest), status created; upload its bundle next.',
  middleware: [requireWorkspace] as const,
  request: { headers: CreateHeaders, params: DeploymentParams, body: jsonBody(CreateVersionBody) },
  responses: { 201: json(AgentVersion, 'Version created'), ...nullspaceErrors(400, 401, 403, 404, 409, 422) },
});

const listVersions = createRoute({
  method: 'get',
  path: `${BASE}/{deployment_id}/versions`,
  operationId: 'agentDeploymentVersions.list',
  tags,
  security,
  summary: 'List versions',
  middleware: [requireWorkspace] as const,
  request: { headers: ReadHeaders, params: DeploymentParams, query: PageQuery },
  responses: {
    200: json(AgentVersionList, 'Versions, newest first'),
    ...nullspaceErrors(400, 401, 403, 404),
  },
});

const getVersion = createRoute({
  method: 'get',
  path: `${BASE}/{deployment_id}/versions/{version_id}`,
  operationId: 'agentDeploymentVersions.get',
  tags,
  security,
  summary: 'Get a version',
  middleware: [requireWorkspace] as const,
  request: { headers: ReadHeaders, params: VersionParams },
  responses: { 200: json(AgentVersion, 'Version'), ...nullspaceErrors(400, 401, 403, 404) },
});

const Tar = z
  .string()
  .openapi({ type: 'string', format: 'binary', description: 'The bundle (uncompressed tar)' });

const upload = createRoute({
  method: 'put',
  path: `${BASE}/{deployment_id}/versions/{version_id}/bundle`,
  operationId: 'agentDeploymentVersions.uploadBundle',
  tags,
  security,
  summary: 'Upload an agent deployment version bundle',
  description:
    'Verifies the tar against the version’s bundle manifest and X-Nullspace-Bundle-Digest, stores it, marks the version ready and makes it the deployment’s active version (the previous active one becomes superseded).',
  middleware: [requireWorkspace] as const,
  request: {
    headers: CreateHeaders.extend({
      'x-nullspace-bundle-digest': Digest.openapi({ description: 'sha256:<hex> of the tar bytes' }),
      'content-type': z
        .string()
        .regex(/^application\/x-tar\b/i, 'the bundle must be sent as application/x-tar'),
    }),
    params: VersionParams,
    body: { content: { 'application/x-tar': { schema: Tar } }, required: true },
  },
  responses: {
    200: json(AgentVersion, 'Version is ready'),
    ...nullspaceErrors(400, 401, 403, 404, 409, 413, 415, 422),
  },
});

export function registerDeploymentRoutes(
  app: ApiApp,
  deployments: DeploymentService,
  versions: VersionService,
): void {
  app.openapi(
    create,
    idempotent({ operation: 'agentDeployments.create', required: true }, async (c) => {
      const deployment = await deployments.create(c.var.workspaceId, c.req.valid('json'));
      c.header('location', `${BASE}/${deployment.id}`);
      return c.json(deployment, 201);
    }),
  );
  app.openapi(list, async (c) => {
    const query = c.req.valid('query');
    return c.json(await deployments.list(c.var.workspaceId, query, pageRequest(query)), 200);
  });
  app.openapi(get, async (c) =>
    c.json(await deployments.get(c.var.workspaceId, c.req.valid('param').deployment_id), 200),
  );
  app.openapi(remove, async (c) =>
    c.json(await deployments.delete(c.var.workspaceId, c.req.valid('param').deployment_id), 200),
  );
  app.openapi(
    createVersion,
    idempotent({ operation: 'agentDeploymentVersions.create', required: true }, async (c) => {
      const { deployment_id } = c.req.valid('param');
      const version = await versions.create(c.var.workspaceId, deployment_id, c.req.valid('json'));
      c.header('location', `${BASE}/${deployment_id}/versions/${version.id}`);
      return c.json(version, 201);
    }),
  );
  app.openapi(listVersions, async (c) =>
    c.json(
      await versions.list(
        c.var.workspaceId,
        c.req.valid('param').deployment_id,
        pageRequest(c.req.valid('query')),
      ),
      200,
    ),
  );
  app.openapi(getVersion, async (c) => {
    const { deployment_id, version_id } = c.req.valid('param');
    return c.json(
      await versions.get({ workspaceId: c.var.workspaceId, deploymentId: deployment_id, id: version_id }),
      200,
    );
  });
  app.use(upload.path.replace(/\{(\w+)\}/g, ':$1'), uploadLimit(versions.limits.maxBytes));
  app.openapi(
    upload,
    idempotent({ operation: 'agentDeploymentVersions.uploadBundle', required: true }, async (c) => {
      const { deployment_id, version_id } = c.req.valid('param');
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      const version = await versions.upload(
        { workspaceId: c.var.workspaceId, deploymentId: deployment_id, id: version_id },
        { digestHeader: c.req.valid('header')['x-nullspace-bundle-digest'], bytes },
      );
      return c.json(version, 200);
    }),
  );
}
