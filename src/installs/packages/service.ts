/**
 * Packages and their versions. A version is registered from an uploaded artifact: the artifact is
 * parsed and its program compiled when it is uploaded, and a version's metadata (semver, input schema)
 * must be the artifact's own, as akua verifies a version against its published artifact. Creating a
 * package registers its first version in the same transaction, so a package always has a latest one.
 */
import type { Kysely } from 'kysely';
import { newId } from '../../db/ids.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import type { DB } from '../../db/schema.ts';
import type { Caller } from '../../http/context.ts';
import { ApiError, conflict, failedPrecondition, invalid, notFound } from '../../http/errors.ts';
import { assertIfMatch } from '../../http/etag.ts';
import { canonicalJson } from '../../lib/canonical-json.ts';
import { sha256Digest } from '../../lib/digest.ts';
import { toPage, type Page, type PageRequest } from '../../http/pagination.ts';
import type { Executor } from '../../isolate/executor.ts';
import { toOperation } from '../../operations/resources.ts';
import { insertOperation } from '../../operations/store.ts';
import { publishJob } from '../jobs.ts';
import type { ArtifactContents } from '../tables.ts';
import { ArtifactError, readArtifact } from './artifact.ts';
import type {
  CreatePackageBody,
  CreatePackageVersionBody,
  Package,
  PackageArtifact,
  PackageOperation,
  PackageVersion,
} from './schemas.ts';
import { latestOf } from './semver.ts';
import { insertRepository } from '../repositories/store.ts';
import { toArtifact, toPackage, toPackageVersion } from './resources.ts';
import * as store from './store.ts';

/** The job that commits a version's files to its package's repository. */

/** Called in the transaction that registers a version (installs pinned to `latest` follow it). */
export type VersionPublished = (
  trx: Kysely<DB>,
  event: { workspaceId: string; packageId: string; latestVersionId: string; caller: Caller },
) => Promise<void>;

export type PackageServiceDeps = {
  db: Kysely<DB>;
  publicUrl: string;
  executor: Executor;
  renderLimits: { memoryMb: number; cpuMs: number; wallMs: number };
  onVersionPublished?: VersionPublished;
};

export type PackageService = ReturnType<typeof createPackageService>;

export function createPackageService(deps: PackageServiceDeps) {
  const { db, publicUrl, executor } = deps;

  async function loadPackage(workspaceId: string, id: string): Promise<store.PackageRow> {
    const row = await store.findPackage(db, workspaceId, id);
    if (!row) throw notFound('package', id);
    return row;
  }

  /** Parses, compile-checks and stores an artifact (422 naming the file at fault). */
  async function upload(
    workspaceId: string,
    bytes: Uint8Array,
  ): Promise<{ row: store.ArtifactRow; created: boolean }> {
    if (bytes.length === 0)
      throw invalid(['body'], 'the body is empty; send the package archive (tar.gz) as the request body');
    const digest = sha256Digest(bytes);
    const known = await store.findArtifact(db, workspaceId, digest);
    if (known) return { row: known, created: false };
    let contents: ArtifactContents;
    try {
      contents = await readArtifact(bytes);
    } catch (error) {
      if (error instanceof ArtifactError)
        throw invalid(['body', ...(error.file ? [error.file] : [])], error.message);
      throw error;
    }
    const check = await executor.run({
      code: contents.program,
      inputs: [],
      workspaceId,
      program: 'module',
      checkOnly: true,
      determinism: { nowMs: 0, seed: 0 },
      limits: deps.renderLimits,
    });
    if (check.state !== 'succeeded') {
      throw invalid(
        ['body', 'render.js'],
        `render.js does not load: ${check.error?.message ?? check.state}`,
        {
          ...(check.error ? { code: check.error.code } : {}),
        },
      );
    }
    return store.putArtifact(db, workspaceId, digest, bytes, contents);
  }

  async function artifactFor(workspaceId: string, ref: string, field: string[]): Promise<store.ArtifactRow> {
    const artifact = /^sha256:[0-9a-f]{64}$/.test(ref)
      ? await store.findArtifact(db, workspaceId, ref)
      : undefined;
    if (!artifact) {
      throw invalid(
        field,
        `no package artifact ${ref} in this workspace; upload the archive to POST /v1/package_artifacts (or run \`atoll package publish\`) and use the ref it returns`,
      );
    }
    return artifact;
  }

  /** Inserts a version and moves the package's latest pointer; 409 when the semver is taken. */
  async function insertVersion(
    trx: Kysely<DB>,
    pkg: { id: string; workspace_id: string },
    artifact: store.ArtifactRow,
    caller: Caller,
    compatibility: CreatePackageVersionBody['compatibility'],
  ): Promise<store.PackageVersionRow> {
    const existing = await store.findVersionBySemver(trx, pkg.id, artifact.contents.version);
    if (existing) {
      throw new ApiError('ALREADY_EXISTS', {
        message: `version ${artifact.contents.version} of this package exists already (${existing.id}); versions are immutable, publish a new semver`,
        path: ['body', 'semver'],
        metadata: { package_version_id: existing.id },
      });
    }
    const row = await store.insertVersion(trx, {
      id: newId('pkv'),
      workspace_id: pkg.workspace_id,
      package_id: pkg.id,
      semver: artifact.contents.version,
      ref: artifact.digest,
      input_schema: JSON.stringify(artifact.contents.input_schema),
      compatibility: compatibility ? JSON.stringify(compatibility) : null,
      created_by: caller.subject,
    });
    const latest = latestOf(await store.allSemvers(trx, pkg.id))!;
    await store.setLatestVersion(trx, pkg.id, {
      versionId: latest.id,
      ...(latest.id === row.id ? { description: artifact.contents.description } : {}),
    });
    // The package repository gets the version's files, committed by the queue after this commits.
    await publishJob.enqueue(
      trx,
      { package_version_id: row.id },
      { workspaceId: pkg.workspace_id, serialKey: `package:${pkg.id}` },
    );
    await deps.onVersionPublished?.(trx, {
      workspaceId: pkg.workspace_id,
      packageId: pkg.id,
      latestVersionId: latest.id,
      caller,
    });
    return row;
  }

  return {
    async uploadArtifact(
      workspaceId: string,
      bytes: Uint8Array,
    ): Promise<{ artifact: PackageArtifact; created: boolean }> {
      const { row, created } = await upload(workspaceId, bytes);
      return { artifact: toArtifact(row), created };
    },

    /** Creates a package with its first version, from a JSON body naming an artifact or from the artifact itself. */
    async create(
      workspaceId: string,
      caller: Caller,
      input: { body: CreatePackageBody } | { archive: Uint8Array; displayImageUrl?: string },
      idempotencyKey: string | undefined,
    ): Promise<PackageOperation> {
      let artifact: store.ArtifactRow;
      let name: string;
      let displayImageUrl: string | null;
      if ('body' in input) {
        const { body } = input;
        if (body.sources) {
          throw invalid(
            ['body', 'sources'],
            'Helm sources are not supported by Atoll yet; publish an Atoll package artifact and create the package with "ref"',
            {
              hint: 'Upload the package archive to POST /v1/package_artifacts (or run `atoll package publish <dir>`), then send {"name", "ref"}.',
            },
          );
        }
        if (!body.ref) {
          throw invalid(
            ['body', 'ref'],
            'ref is required: the digest of an uploaded package artifact (POST /v1/package_artifacts), or send the archive itself as application/gzip',
          );
        }
        artifact = await artifactFor(workspaceId, body.ref, ['body', 'ref']);
        name = body.name;
        displayImageUrl = body.display_image_url ?? null;
      } else {
        artifact = (await upload(workspaceId, input.archive)).row;
        name = artifact.contents.name;
        displayImageUrl = input.displayImageUrl ?? null;
      }
      try {
        return await db.transaction().execute(async (trx) => {
          const packageId = newId('pkg');
          const repositoryId = newId('repo');
          await insertRepository(trx, {
            id: repositoryId,
            workspace_id: workspaceId,
            name,
            purpose: 'package',
            storage: repositoryId,
            package_id: packageId,
          });
          await store.insertPackage(trx, {
            id: packageId,
            workspace_id: workspaceId,
            name,
            display_image_url: displayImageUrl,
            repository_id: repositoryId,
          });
          const version = await insertVersion(
            trx,
            { id: packageId, workspace_id: workspaceId },
            artifact,
            caller,
            undefined,
          );
          const metadata = {
            type: 'package.create' as const,
            idempotency_key: idempotencyKey ?? '',
            workspace_id: workspaceId,
            name,
          };
          const response = {
            type: 'package.create' as const,
            package_id: packageId,
            package_version_id: version.id,
            repository_id: repositoryId,
          };
          const row = await insertOperation(trx, {
            workspaceId,
            ownerType: 'package',
            ownerId: packageId,
            state: 'SUCCEEDED',
            metadata,
            response,
            steps: [],
          });
          return { ...toOperation(row, publicUrl), metadata, response };
        });
      } catch (error) {
        if (isUniqueViolation(error, 'packages_name')) {
          const taken = await store.findPackageByName(db, workspaceId, name);
          throw new ApiError('ALREADY_EXISTS', {
            message: `a package named "${name}" exists already${taken ? ` (${taken.id}); publish a new version to it with POST /v1/packages/${taken.id}/versions` : ''}`,
            path: ['body', 'name'],
            ...(taken ? { metadata: { package_id: taken.id } } : {}),
          });
        }
        throw error;
      }
    },

    async get(workspaceId: string, id: string, view: 'basic' | 'full'): Promise<Package> {
      const row = await loadPackage(workspaceId, id);
      const full =
        view === 'full'
          ? await store.listVersions(db, row.id, { limit: 1000, before: undefined })
          : undefined;
      return toPackage(row, publicUrl, full);
    },

    async list(workspaceId: string, page: PageRequest, view: 'basic' | 'full'): Promise<Page<Package>> {
      const rows = await store.listPackages(db, workspaceId, page);
      const served = rows.slice(0, page.limit);
      const versions = new Map<string, store.PackageVersionRow[]>();
      if (view === 'full') {
        for (const r of served)
          versions.set(r.id, await store.listVersions(db, r.id, { limit: 1000, before: undefined }));
      }
      return toPage(rows, page, (r) => toPackage(r, publicUrl, versions.get(r.id)));
    },

    /** Deletes a package no install uses (409 otherwise); its name becomes free. */
    async delete(workspaceId: string, id: string, ifMatch: string): Promise<void> {
      const row = await loadPackage(workspaceId, id);
      assertIfMatch('package', ifMatch, row.version);
      if (await store.packageInUse(db, id)) {
        throw failedPrecondition(`package ${id} is used by installs; delete them first`);
      }
      if (!(await store.markPackageDeleted(db, id, row.version))) {
        const now = await store.findPackage(db, workspaceId, id);
        if (now) throw conflict(`package ${id} changed while it was being deleted; read it again`);
      }
    },

    /** Registers a version from a JSON body naming an artifact (verified against it) or from the artifact itself. */
    async createVersion(
      workspaceId: string,
      caller: Caller,
      packageId: string,
      input: { body: CreatePackageVersionBody } | { archive: Uint8Array },
    ): Promise<PackageVersion> {
      const pkg = await loadPackage(workspaceId, packageId);
      let artifact: store.ArtifactRow;
      let compatibility: CreatePackageVersionBody['compatibility'];
      if ('body' in input) {
        const { body } = input;
        artifact = await artifactFor(workspaceId, body.ref, ['body', 'ref']);
        if (artifact.contents.version !== body.semver) {
          throw invalid(
            ['body', 'semver'],
            `the artifact ${body.ref} is version ${artifact.contents.version} (atoll.package.json), not ${body.semver}`,
          );
        }
        if (canonicalJson(artifact.contents.input_schema) !== canonicalJson(body.input_schema)) {
          throw invalid(
            ['body', 'input_schema'],
            `input_schema differs from the artifact's inputs.schema.json; send it unchanged (GET the artifact's schema from the archive)`,
          );
        }
        compatibility = body.compatibility;
      } else {
        artifact = (await upload(workspaceId, input.archive)).row;
      }
      const version = await db
        .transaction()
        .execute((trx) => insertVersion(trx, pkg, artifact, caller, compatibility));
      return toPackageVersion(version);
    },

    async listVersions(
      workspaceId: string,
      packageId: string,
      page: PageRequest,
    ): Promise<Page<PackageVersion>> {
      await loadPackage(workspaceId, packageId);
      return toPage(await store.listVersions(db, packageId, page), page, toPackageVersion);
    },

    async getVersion(workspaceId: string, packageId: string, versionId: string): Promise<PackageVersion> {
      await loadPackage(workspaceId, packageId);
      const row = await store.findVersion(db, workspaceId, versionId);
      if (!row || row.package_id !== packageId) throw notFound('package version', versionId);
      return toPackageVersion(row);
    },
  };
}
