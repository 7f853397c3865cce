/**
 * Versions of a deployment: immutable config + bundle manifest (create), then the tar bytes (upload),
 * which are verified against the manifest and make the version `ready` and active, superseding the
 * previous active version. A failed verification leaves the version `created` so a corrected upload
 * can follow (docs/agent-deployments.md).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { newId } from '../../db/ids.ts';
import { invalid } from '../../http/errors.ts';
import type { BlobStore } from '../blobs.ts';
import { verifyBundle } from '../bundles/verify.ts';
import { loadDeployment, loadLiveDeployment, type DeploymentRow } from '../deployment-service.ts';
import { notFound, uploadConflict } from '../errors.ts';
import type { ResourceRef } from '../refs.ts';
import { toItems, type Items, type PageRequest } from '../page.ts';
import type { AgentVersion, CreateVersionBody } from '../schemas.ts';
import { setActiveVersion, takeNextVersionNumber } from '../deployment-store.ts';
import {
  findVersion,
  insertVersion,
  listVersions,
  markVersionReady,
  markVersionSuperseded,
  type VersionRow,
} from './store.ts';
import { toVersion } from './resources.ts';

export type { VersionRow };

export async function loadVersion(
  db: Kysely<DB>,
  workspaceId: string,
  deploymentId: string,
  versionId: string,
): Promise<VersionRow> {
  const row = await findVersion(db, workspaceId, deploymentId, versionId);
  if (!row) throw notFound('agent_version', versionId);
  return row;
}

/** An uploaded bundle: its bytes and the digest its x-nullspace-bundle-digest header declared. */
export type BundleUpload = { digestHeader: string; bytes: Uint8Array };

export type BundleLimits = { maxBytes: number; maxEntries: number };
export type VersionServiceDeps = { db: Kysely<DB>; blobs: BlobStore; limits: BundleLimits };
export type VersionService = ReturnType<typeof createVersionService>;

export function createVersionService(deps: VersionServiceDeps) {
  const { db } = deps;
  return {
    limits: deps.limits,

    create: (workspaceId: string, deploymentId: string, body: CreateVersionBody) =>
      create(deps, workspaceId, deploymentId, body),

    async get({ workspaceId, deploymentId, id }: ResourceRef): Promise<AgentVersion> {
      await loadDeployment(db, workspaceId, deploymentId);
      return toVersion(await loadVersion(db, workspaceId, deploymentId, id));
    },

    async list(workspaceId: string, deploymentId: string, page: PageRequest): Promise<Items<AgentVersion>> {
      await loadDeployment(db, workspaceId, deploymentId);
      return toItems(await listVersions(db, workspaceId, deploymentId, page), page, toVersion);
    },

    upload: (ref: ResourceRef, bundle: BundleUpload) => upload(deps, ref, bundle),
  };
}

async function create(
  deps: VersionServiceDeps,
  workspaceId: string,
  deploymentId: string,
  body: CreateVersionBody,
): Promise<AgentVersion> {
  const { config, bundle_manifest: manifest } = body;
  const row = await deps.db.transaction().execute(async (tx) => {
    const deployment = await loadLiveDeployment(tx, workspaceId, deploymentId, { forUpdate: true });
    checkVersionFits(deployment, body, deps.limits);
    const versionNumber = await takeNextVersionNumber(tx, deploymentId);
    return insertVersion(tx, {
      id: newId('adpv'),
      workspace_id: workspaceId,
      deployment_id: deploymentId,
      version_number: versionNumber,
      cache_policy: body.cache_policy,
      config: JSON.stringify(config),
      bundle_manifest: JSON.stringify(manifest),
      bundle_digest: manifest.bundle_digest,
    });
  });
  return toVersion(row);
}

/** 422 unless the version's config suits its deployment and its manifest the bundle limits. */
function checkVersionFits(deployment: DeploymentRow, body: CreateVersionBody, limits: BundleLimits): void {
  const { config, bundle_manifest: manifest } = body;
  if (config.mode !== deployment.mode)
    throw invalid(
      ['body', 'config', 'mode'],
      `the deployment runs in ${deployment.mode} mode; a version's config.mode must be "${deployment.mode}"`,
    );
  if (config.name !== undefined && config.name !== deployment.name)
    throw invalid(
      ['body', 'config', 'name'],
      `config.name "${config.name}" is not the deployment's name "${deployment.name}"`,
    );
  if (manifest.materialization_path !== null && manifest.materialization_path !== config.workdir)
    throw invalid(
      ['body', 'bundle_manifest', 'materialization_path'],
      `the bundle is materialised at config.workdir (${config.workdir}), not ${manifest.materialization_path}`,
    );
  if (manifest.total_size > limits.maxBytes)
    throw invalid(
      ['body', 'bundle_manifest', 'total_size'],
      `bundles may hold at most ${limits.maxBytes} bytes (ATOLL_BUNDLE_MAX_BYTES)`,
    );
  if (manifest.file_count > limits.maxEntries)
    throw invalid(
      ['body', 'bundle_manifest', 'file_count'],
      `bundles may hold at most ${limits.maxEntries} entries (ATOLL_BUNDLE_MAX_ENTRIES)`,
    );
}

/** Verifies and stores the bundle; the version becomes ready and the deployment's active one. */
async function upload(
  deps: VersionServiceDeps,
  ref: ResourceRef,
  bundle: BundleUpload,
): Promise<AgentVersion> {
  const { workspaceId, deploymentId, id: versionId } = ref;
  const { digestHeader, bytes } = bundle;
  await loadLiveDeployment(deps.db, workspaceId, deploymentId);
  const version = await loadVersion(deps.db, workspaceId, deploymentId, versionId);
  if (digestHeader !== version.bundle_digest)
    throw uploadConflict(
      `x-nullspace-bundle-digest ${digestHeader} is not this version's bundle_digest ${version.bundle_digest}`,
      ['header', 'x-nullspace-bundle-digest'],
      'upload the bundle the version was created with, or create a new version for this bundle',
    );
  if (version.status !== 'created') throw alreadyUploaded(versionId, version.status);
  const verified = await verifyBundle(bytes, version.bundle_manifest, deps.limits);
  if (verified.digest !== version.bundle_digest)
    throw uploadConflict(
      `the uploaded bytes hash to ${verified.digest}, not to the declared ${version.bundle_digest}`,
      ['body'],
      'the upload was altered or truncated in transit; upload the exact tar again',
    );
  const row = await deps.db.transaction().execute(async (tx) => {
    const deployment = await loadLiveDeployment(tx, workspaceId, deploymentId, { forUpdate: true });
    const current = await loadVersion(tx, workspaceId, deploymentId, versionId);
    if (current.status !== 'created') throw alreadyUploaded(versionId, current.status);
    await deps.blobs.put(tx, workspaceId, verified.digest, bytes);
    const now = new Date();
    if (deployment.active_version_id !== null && deployment.active_version_id !== versionId)
      await markVersionSuperseded(tx, deployment.active_version_id, now);
    await setActiveVersion(tx, deploymentId, versionId, now);
    return markVersionReady(tx, versionId, now);
  });
  return toVersion(row);
}

/** 409 upload_conflict: the version's bundle was uploaded already. */
function alreadyUploaded(versionId: string, status: string) {
  return uploadConflict(`version ${versionId} is ${status}: its bundle was uploaded already`, [
    'path',
    'version_id',
  ]);
}
