/**
 * What Atoll knows of an install's deployment (installs.getStatus): its state, the commit it last
 * deployed, the version it is on and the one it is moving to, its newest render and whether work is in
 * flight. What only a cluster knows (health, sync, the objects' status, the sync operation) is null:
 * Atoll commits manifests to git and does not watch clusters. For the same reason it has no pods and
 * no logs: those routes answer an error that says so (docs/installs.md "Status, pods and logs").
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { unixSeconds } from '../db/time.ts';
import { ApiError, notFound } from '../http/errors.ts';
import type { InstallStatus } from './schemas.ts';
import * as store from './store.ts';
import { installView, type InstallView } from './views.ts';
import { automaticUpdatesEnabled, toRender } from './resources.ts';

export type InstallStatusService = ReturnType<typeof createInstallStatusService>;

/** What a request for the cluster's view of an install asked for. */
export type ClusterView = 'pods' | 'logs';

/** The 404 for pods and logs of an install that exists: Atoll has no connection to any cluster. */
export function noClusterConnection(installId: string, view: ClusterView): ApiError {
  return new ApiError(
    'NOT_FOUND',
    {
      message: `Atoll has no connection to the cluster of install ${installId}, so it has no ${view} to show: it commits the install's manifests to git and a GitOps controller (Argo CD, Flux) applies them`,
      metadata: { id: installId },
    },
    {
      code: 'no_cluster_connection',
      hint: `Read the ${view} from the cluster (kubectl, Argo CD or Flux); GET /v1/installs/${installId}/status says what Atoll deployed.`,
    },
  );
}

export function createInstallStatusService({ db }: { db: Kysely<DB> }) {
  async function load(workspaceId: string, id: string): Promise<InstallView> {
    const install = await installView(db, await store.findInstall(db, workspaceId, id));
    if (!install) throw notFound('install', id);
    return install;
  }

  return {
    async get(workspaceId: string, id: string): Promise<InstallStatus> {
      const install = await load(workspaceId, id);
      // A purged repository (deleted install) no longer serves its commits: no revision then.
      const repo = await store.findRepository(db, workspaceId, install.repository_id);
      const last = await store.latestRender(db, id);
      return {
        install_id: install.id,
        health: null,
        sync: null,
        revision: repo?.last_deploy_sha ?? null,
        resources: null,
        operation_phase: null,
        updated_at: unixSeconds(install.updated_at),
        state: install.state,
        reconciling: install.reconciling,
        package_version_id: install.package_version_id,
        desired_version_id: install.desired_version_id,
        automatic_updates_enabled: automaticUpdatesEnabled(install.version_pin),
        repository_id: install.repository_id,
        deployed_render_hash: repo?.last_render_hash ?? null,
        last_render: last ? toRender(last) : null,
      };
    },

    /** 404 for an unknown install; for a known one, the error saying Atoll cannot see its `view`. */
    async clusterView(workspaceId: string, id: string, view: ClusterView): Promise<never> {
      await load(workspaceId, id);
      throw noClusterConnection(id, view);
    },
  };
}
