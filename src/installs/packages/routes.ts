/**
 * HTTP routes of packages: artifacts (upload), packages (create from an artifact, list, get, delete)
 * and versions (create, list, get, inputs). Creating a package or a version takes either JSON naming an
 * uploaded artifact or the artifact itself (`application/gzip`).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { requireWorkspace } from '../../http/auth.ts';
import { uploadLimit } from '../../http/body-limit.ts';
import type { ApiApp, AppEnv } from '../../http/context.ts';
import { invalid } from '../../http/errors.ts';
import { setEtagHeader } from '../../http/etag.ts';
import { idempotent } from '../../http/idempotency.ts';
import { pageRequest } from '../../http/pagination.ts';
import {
  errorResponses,
  IdempotencyKeyHeader,
  IfMatchHeader,
  json,
  PageQuery,
  pathId,
  WorkspaceHeaders,
} from '../../http/schemas.ts';
import { MAX_ARTIFACT_BYTES } from './artifact.ts';
import {
  CreatePackageBody,
  CreatePackageVersionBody,
  Package,
  PackageArtifact,
  PackageList,
  PackageOperation,
  PackageVersion,
  PackageVersionFiles,
  PackageVersionInputs,
  PackageVersionList,
  PackageView,
} from './schemas.ts';
import type { PackageService } from './service.ts';

const tags = ['Packages'];
const security = [{ BearerAuth: [] }];
const IdParam = z.object({ id: pathId(54, 'Package ID') });
const VersionParams = IdParam.extend({ version_id: pathId(55, 'Package version ID') });
const Archive = z
  .string()
  .openapi({ type: 'string', format: 'binary', description: 'A package archive (tar.gz): docs/packages.md' });
const ARCHIVE_TYPES = ['application/gzip', 'application/x-gzip', 'application/octet-stream'] as const;
const archiveContent = Object.fromEntries(ARCHIVE_TYPES.map((t) => [t, { schema: Archive }]));

function isArchive(c: Context<AppEnv>): boolean {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  return (ARCHIVE_TYPES as readonly string[]).includes(type);
}

async function archiveBytes(c: Context<AppEnv>): Promise<Uint8Array> {
  return new Uint8Array(await c.req.arrayBuffer());
}

/** JSON validated by the route, or a clear 422 when neither JSON nor an archive was sent. */
function jsonOrFail<T>(c: Context<AppEnv>, value: T | Record<string, never>): T {
  if (c.req.header('content-type') === undefined) {
    throw invalid(
      ['body'],
      'send a JSON body (content-type: application/json) or a package archive (content-type: application/gzip)',
    );
  }
  return value as T;
}

const uploadArtifact = createRoute({
  method: 'post',
  path: '/v1/package_artifacts',
  operationId: 'packageArtifacts.upload',
  tags,
  security,
  summary: 'Upload package artifact',
  description:
    'Atoll: stores a package archive (tar.gz of atoll.package.json, inputs.schema.json, render.js and optional manifests/*.yaml) addressed by its SHA-256, after checking it and compiling its program. Returns its `ref` for creating packages and versions. Uploading the same bytes again returns the stored artifact (200).',
  middleware: [requireWorkspace, uploadLimit(MAX_ARTIFACT_BYTES)] as const,
  request: { headers: WorkspaceHeaders, body: { content: archiveContent, required: true } },
  responses: {
    200: json(PackageArtifact, 'The artifact was stored before'),
    201: json(PackageArtifact, 'Artifact stored'),
    ...errorResponses(401, 403, 413, 415, 422),
  },
});

const create = createRoute({
  method: 'post',
  path: '/v1/packages',
  operationId: 'packages.create',
  tags,
  security,
  summary: 'Create package',
  description:
    'Creates a hosted package with its first version, from an uploaded artifact (`{"name", "ref"}`) or from the archive itself (`application/gzip`, named by its atoll.package.json). Returns the completed package.create operation. Helm sources are refused (422) until Atoll renders Helm.',
  middleware: [requireWorkspace, uploadLimit(MAX_ARTIFACT_BYTES)] as const,
  request: {
    headers: WorkspaceHeaders.extend({ 'idempotency-key': IdempotencyKeyHeader.optional() }),
    body: {
      content: { 'application/json': { schema: CreatePackageBody }, ...archiveContent },
      required: false,
    },
  },
  responses: {
    202: json(PackageOperation, 'Package creation accepted'),
    ...errorResponses(401, 403, 409, 413, 415, 422),
  },
});

const list = createRoute({
  method: 'get',
  path: '/v1/packages',
  operationId: 'packages.list',
  tags,
  security,
  summary: 'List packages',
  description: 'Returns all packages in the active workspace, newest first.',
  middleware: [requireWorkspace] as const,
  request: { query: PageQuery.extend({ view: PackageView }), headers: WorkspaceHeaders },
  responses: { 200: json(PackageList, 'List of packages'), ...errorResponses(400, 401, 403) },
});

const get = createRoute({
  method: 'get',
  path: '/v1/packages/{id}',
  operationId: 'packages.get',
  tags,
  security,
  summary: 'Get package details',
  description: 'Returns a single package and its `latest_version_id` (the highest released semver).',
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, query: z.strictObject({ view: PackageView }), headers: WorkspaceHeaders },
  responses: { 200: json(Package, 'Package details'), ...errorResponses(400, 401, 403, 404) },
});

const remove = createRoute({
  method: 'delete',
  path: '/v1/packages/{id}',
  operationId: 'packages.delete',
  tags,
  security,
  summary: 'Delete package',
  description:
    'Deletes a package and its versions when no install uses it (409 otherwise). Its name can be used again.',
  middleware: [requireWorkspace] as const,
  request: {
    params: IdParam,
    headers: WorkspaceHeaders.extend({
      'if-match': IfMatchHeader,
      'idempotency-key': IdempotencyKeyHeader.optional(),
    }),
  },
  responses: { 204: { description: 'Package deleted' }, ...errorResponses(400, 401, 403, 404, 409, 428) },
});

const createVersion = createRoute({
  method: 'post',
  path: '/v1/packages/{id}/versions',
  operationId: 'packages.createVersion',
  tags,
  security,
  summary: 'Create package version',
  description:
    "Registers an immutable version from an uploaded artifact (`{semver, ref, input_schema}`, verified against the artifact: semver and input_schema must be the artifact's) or from the archive itself (`application/gzip`). Installs pinned to `latest` update to it when it becomes the latest.",
  middleware: [requireWorkspace, uploadLimit(MAX_ARTIFACT_BYTES)] as const,
  request: {
    params: IdParam,
    headers: WorkspaceHeaders,
    body: {
      content: { 'application/json': { schema: CreatePackageVersionBody }, ...archiveContent },
      required: false,
    },
  },
  responses: {
    201: json(PackageVersion, 'Version registered'),
    ...errorResponses(401, 403, 404, 409, 413, 415, 422),
  },
});

const listVersions = createRoute({
  method: 'get',
  path: '/v1/packages/{id}/versions',
  operationId: 'packages.listVersions',
  tags,
  security,
  summary: 'List package versions',
  description: 'Returns published versions of a package, newest first.',
  middleware: [requireWorkspace] as const,
  request: { params: IdParam, query: PageQuery, headers: WorkspaceHeaders },
  responses: { 200: json(PackageVersionList, 'Versions'), ...errorResponses(400, 401, 403, 404) },
});

const getVersion = createRoute({
  method: 'get',
  path: '/v1/packages/{id}/versions/{version_id}',
  operationId: 'packages.getVersion',
  tags,
  security,
  summary: 'Get package version',
  description: 'Returns a single version entry for a package.',
  middleware: [requireWorkspace] as const,
  request: { params: VersionParams, headers: WorkspaceHeaders },
  responses: { 200: json(PackageVersion, 'Version'), ...errorResponses(400, 401, 403, 404) },
});

const getInputs = createRoute({
  method: 'get',
  path: '/v1/packages/{id}/versions/{version_id}/inputs',
  operationId: 'packages.getVersionInputs',
  tags,
  security,
  summary: 'Get package version inputs',
  description: "Returns the version's input schema (JSON Schema 2020-12, with defaults).",
  middleware: [requireWorkspace] as const,
  request: { params: VersionParams, headers: WorkspaceHeaders },
  responses: { 200: json(PackageVersionInputs, 'Input schema'), ...errorResponses(400, 401, 403, 404) },
});

const getFiles = createRoute({
  method: 'get',
  path: '/v1/packages/{id}/versions/{version_id}/files',
  operationId: 'packages.getVersionFiles',
  tags,
  security,
  summary: 'Get package version files',
  description:
    "Atoll extension: the version's source files as its package repository holds them: a JS package's render.js, input schema, package manifest and static manifests; a Helm package's chart metadata, values and source. docs/packages.md.",
  middleware: [requireWorkspace] as const,
  request: { params: VersionParams, headers: WorkspaceHeaders },
  responses: { 200: json(PackageVersionFiles, 'Version files'), ...errorResponses(400, 401, 403, 404) },
});

export function registerPackageRoutes(app: ApiApp, service: PackageService): void {
  app.openapi(uploadArtifact, async (c) => {
    const { artifact, created } = await service.uploadArtifact(c.var.workspaceId, await archiveBytes(c));
    return c.json(artifact, created ? 201 : 200);
  });

  app.openapi(
    create,
    idempotent({ operation: 'packages.create' }, async (c) => {
      const key = c.req.valid('header')['idempotency-key'];
      const input = isArchive(c)
        ? { archive: await archiveBytes(c) }
        : { body: jsonOrFail<CreatePackageBody>(c, c.req.valid('json')) };
      const op = await service.create(c.var.workspaceId, c.var.caller, input, key);
      c.header('location', `/v1/operations/${op.id}`);
      return c.json(op, 202);
    }),
  );

  app.openapi(list, async (c) => {
    const query = c.req.valid('query');
    return c.json(await service.list(c.var.workspaceId, pageRequest(query), query.view), 200);
  });

  app.openapi(get, async (c) => {
    const pkg = await service.get(c.var.workspaceId, c.req.valid('param').id, c.req.valid('query').view);
    setEtagHeader(c, pkg.etag);
    return c.json(pkg, 200);
  });

  app.openapi(
    remove,
    idempotent({ operation: 'packages.delete' }, async (c) => {
      await service.delete(c.var.workspaceId, c.req.valid('param').id, c.req.valid('header')['if-match']);
      return c.body(null, 204);
    }),
  );

  app.openapi(createVersion, async (c) => {
    const { id } = c.req.valid('param');
    const input = isArchive(c)
      ? { archive: await archiveBytes(c) }
      : { body: jsonOrFail<CreatePackageVersionBody>(c, c.req.valid('json')) };
    const version = await service.createVersion(c.var.workspaceId, c.var.caller, id, input);
    c.header('location', `/v1/packages/${id}/versions/${version.id}`);
    return c.json(version, 201);
  });

  app.openapi(listVersions, async (c) =>
    c.json(
      await service.listVersions(
        c.var.workspaceId,
        c.req.valid('param').id,
        pageRequest(c.req.valid('query')),
      ),
      200,
    ),
  );

  app.openapi(getVersion, async (c) => {
    const { id, version_id } = c.req.valid('param');
    return c.json(await service.getVersion(c.var.workspaceId, id, version_id), 200);
  });

  app.openapi(getInputs, async (c) => {
    const { id, version_id } = c.req.valid('param');
    return c.json((await service.getVersion(c.var.workspaceId, id, version_id)).input_schema, 200);
  });

  app.openapi(getFiles, async (c) => {
    const { id, version_id } = c.req.valid('param');
    return c.json(await service.getVersionFiles(c.var.workspaceId, id, version_id), 200);
  });
}
