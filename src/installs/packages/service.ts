/**
 * Packages and their versions, of two kinds. A Helm package's version is registered from its source:
 * the chart is pulled and read first (charts/source.ts), and its semver and input schema are the
 * chart's. A JS package's version is registered from an uploaded artifact: the artifact is parsed and
 * its program compiled when it is uploaded, and a version's metadata (semver, input schema) must be the
 * artifact's own, as akua verifies a version against its published artifact. Creating a package
 * registers its first version in the same transaction, so a package always has a latest one.
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
import type { HelmVersionSource, ProgramContents } from '../tables.ts';
import { ArtifactError, readArtifact } from './artifact.ts';
import type {
  CreatePackageBody,
  CreatePackageVersionBody,
  Package,
  PackageArtifact,
  PackageOperation,
  PackageVersion,
  PackageVersionFiles,
} from './schemas.ts';
import { versionFiles } from './publish-job.ts';
import { latestOf } from './semver.ts';
import {
  resolveChartSource,
  type ChartSourceDeps,
  type ChartVersion,
  type HelmSourceBody,
} from '../charts/source.ts';
import { insertRepository } from '../repositories/store.ts';
import { toArtifact, toPackage, toPackageVersion } from './resources.ts';
import * as store from './store.ts';

/** What a version is registered from: an artifact (JS package) or a pulled chart (Helm package). */
type VersionInput = {
  semver: string;
  ref: string;
  description: string | null;
  inputSchema: Record<string, unknown>;
  compatibility?: CreatePackageVersionBody['compatibility'];
  helm?: { source: HelmVersionSource; baseValues: Record<string, unknown> };
  /** The field a taken semver is reported at. */
  field: string[];
};

/** A JS package artifact's version input. */
function programVersion(
  artifact: store.ArtifactRow,
  compatibility?: CreatePackageVersionBody['compatibility'],
): VersionInput {
  const c = artifact.contents as ProgramContents;
  return {
    semver: c.version,
    ref: artifact.digest,
    description: c.description,
    inputSchema: c.input_schema,
    compatibility,
    field: ['body', 'semver'],
  };
}

/** A pulled chart's version input. */
function chartVersion(chart: ChartVersion, field: string[]): VersionInput {
  return {
    semver: chart.semver,
    ref: chart.artifact.digest,
    description: chart.description,
    inputSchema: chart.inputSchema,
    helm: { source: chart.source, baseValues: chart.baseValues },
    field: [...field, 'target_revision'],
  };
}

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
  /** Pulling Helm charts (charts/source.ts). */
  charts: Omit<ChartSourceDeps, 'db'>;
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
    if (known?.contents.kind === 'helm') {
      throw invalid(
        ['body'],
        'this archive is a Helm chart (pulled for a Helm package of this workspace), not an Atoll package artifact; create Helm packages from their registry with {"sources": [{"kind": "helm", …}]}',
      );
    }
    if (known) return { row: known, created: false };
    let contents: ProgramContents;
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
    if (artifact.contents.kind === 'helm') {
      throw invalid(
        field,
        `${ref} is a Helm chart; a Helm package's versions are registered from their source: {"sources": [{"kind": "helm", "repo_url": …, "target_revision": …}]}`,
      );
    }
    return artifact;
  }

  /** 409 naming the package that has the name. */
  async function nameTaken(workspaceId: string, name: string): Promise<ApiError> {
    const taken = await store.findPackageByName(db, workspaceId, name);
    return new ApiError('ALREADY_EXISTS', {
      message: `a package named "${name}" exists already${taken ? ` (${taken.id}); publish a new version to it with POST /v1/packages/${taken.id}/versions` : ''}`,
      path: ['body', 'name'],
      ...(taken ? { metadata: { package_id: taken.id } } : {}),
    });
  }

  /** 409 unless the name is free (checked again by the unique index when the package is inserted). */
  async function assertNameFree(workspaceId: string, name: string): Promise<void> {
    if (await store.findPackageByName(db, workspaceId, name)) throw await nameTaken(workspaceId, name);
  }

  /** Pulls and reads a Helm source's chart (charts/source.ts). */
  async function resolveChart(workspaceId: string, source: HelmSourceBody, field: string[]) {
    return resolveChartSource({ db, ...deps.charts }, workspaceId, source, field);
  }

  /** A new Helm version from `{sources}` (semver and schema are the chart's, so they may not be sent). */
  async function helmVersionOf(workspaceId: string, body: CreatePackageVersionBody): Promise<VersionInput> {
    for (const key of ['semver', 'ref', 'input_schema'] as const) {
      if (body[key] !== undefined)
        throw invalid(
          ['body', key],
          `${key} comes from the chart when the version is a Helm source; leave it out`,
        );
    }
    const field = ['body', 'sources', '0'];
    const version = chartVersion(await resolveChart(workspaceId, body.sources![0]!, field), field);
    return { ...version, compatibility: body.compatibility };
  }

  /** A new JS version from `{semver, ref, input_schema}`, verified against the artifact. */
  async function artifactVersionOf(
    workspaceId: string,
    body: CreatePackageVersionBody,
  ): Promise<VersionInput> {
    const missing = (['semver', 'ref', 'input_schema'] as const).find((k) => body[k] === undefined);
    if (missing) throw invalid(['body', missing], `${missing} is required (or sources, for a Helm package)`);
    const artifact = await artifactFor(workspaceId, body.ref!, ['body', 'ref']);
    const contents = artifact.contents as ProgramContents;
    if (contents.version !== body.semver) {
      throw invalid(
        ['body', 'semver'],
        `the artifact ${body.ref} is version ${contents.version} (atoll.package.json), not ${body.semver}`,
      );
    }
    if (canonicalJson(contents.input_schema) !== canonicalJson(body.input_schema)) {
      throw invalid(
        ['body', 'input_schema'],
        `input_schema differs from the artifact's inputs.schema.json; send it unchanged (GET the artifact's schema from the archive)`,
      );
    }
    return programVersion(artifact, body.compatibility);
  }

  /** Inserts a version and moves the package's latest pointer; 409 when the semver is taken. */
  async function insertVersion(
    trx: Kysely<DB>,
    pkg: { id: string; workspace_id: string },
    input: VersionInput,
    caller: Caller,
  ): Promise<store.PackageVersionRow> {
    const existing = await store.findVersionBySemver(trx, pkg.id, input.semver);
    if (existing) {
      throw new ApiError('ALREADY_EXISTS', {
        message: `version ${input.semver} of this package exists already (${existing.id}); versions are immutable, publish a new ${input.helm ? 'chart version' : 'semver'}`,
        path: input.field,
        metadata: { package_version_id: existing.id },
      });
    }
    const row = await store.insertVersion(trx, {
      id: newId('pkv'),
      workspace_id: pkg.workspace_id,
      package_id: pkg.id,
      semver: input.semver,
      ref: input.ref,
      input_schema: JSON.stringify(input.inputSchema),
      compatibility: input.compatibility ? JSON.stringify(input.compatibility) : null,
      source: input.helm ? JSON.stringify(input.helm.source) : null,
      base_values: input.helm ? JSON.stringify(input.helm.baseValues) : null,
      created_by: caller.subject,
    });
    const latest = latestOf(await store.allSemvers(trx, pkg.id))!;
    await store.setLatestVersion(trx, pkg.id, {
      versionId: latest.id,
      ...(latest.id === row.id ? { description: input.description } : {}),
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
      let version: VersionInput;
      let name: string;
      let displayImageUrl: string | null;
      if ('body' in input) {
        const { body } = input;
        name = body.name;
        displayImageUrl = body.display_image_url ?? null;
        if (body.sources && body.ref !== undefined) {
          throw invalid(
            ['body', 'ref'],
            'send either sources (a Helm chart) or ref (an Atoll package artifact), not both',
          );
        }
        if (body.sources) {
          // Refused before the pull, which may take a while.
          await assertNameFree(workspaceId, name);
          const field = ['body', 'sources', '0'];
          version = chartVersion(await resolveChart(workspaceId, body.sources[0]!, field), field);
        } else if (body.ref) {
          version = programVersion(await artifactFor(workspaceId, body.ref, ['body', 'ref']));
        } else {
          throw invalid(
            ['body', 'ref'],
            'the first version is required: sources (a Helm chart in an OCI registry), ref (the digest of an uploaded package artifact, POST /v1/package_artifacts), or the archive itself as application/gzip',
          );
        }
      } else {
        const artifact = (await upload(workspaceId, input.archive)).row;
        version = programVersion(artifact);
        name = (artifact.contents as ProgramContents).name;
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
          const inserted = await insertVersion(
            trx,
            { id: packageId, workspace_id: workspaceId },
            version,
            caller,
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
            package_version_id: inserted.id,
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
        if (isUniqueViolation(error, 'packages_name')) throw await nameTaken(workspaceId, name);
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
      const latest = await store.findVersionById(db, pkg.latest_version_id!);
      const isHelm = latest?.source != null;
      const body = 'body' in input ? input.body : undefined;
      let version: VersionInput;
      if (body?.sources) {
        if (!isHelm) {
          throw invalid(
            ['body', 'sources'],
            `package ${pkg.name} is an Atoll JS package; publish its new versions as package artifacts (ref), or create a Helm package with POST /v1/packages`,
          );
        }
        version = await helmVersionOf(workspaceId, body);
      } else if (isHelm) {
        throw invalid(
          ['body', 'sources'],
          `package ${pkg.name} is a Helm package; register a new version with {"sources": [{"kind": "helm", "repo_url": …, "target_revision": "<chart version>"}]}`,
        );
      } else if ('archive' in input) {
        version = programVersion((await upload(workspaceId, input.archive)).row);
      } else {
        version = await artifactVersionOf(workspaceId, input.body);
      }
      const row = await db.transaction().execute((trx) => insertVersion(trx, pkg, version, caller));
      return toPackageVersion(row);
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

    /** Atoll: the files the version was published with (those its package repository commit holds). */
    async getVersionFiles(
      workspaceId: string,
      packageId: string,
      versionId: string,
    ): Promise<PackageVersionFiles> {
      await loadPackage(workspaceId, packageId);
      const row = await store.findVersion(db, workspaceId, versionId);
      const source = row && row.package_id === packageId && (await store.findPublishSource(db, row.id));
      if (!source) throw notFound('package version', versionId);
      return { package_version_id: source.id, files: versionFiles(source.contents, source) };
    },
  };
}
