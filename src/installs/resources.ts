/** Row → resource mappers of installs and renders (`to<Resource>`), and the URLs their wire forms carry. */
import { unixSeconds } from '../db/time.ts';
import { etagOf } from '../http/etag.ts';
import type { Install, InstallRender } from './schemas.ts';
import { LOCAL_CLUSTER } from './schemas.ts';
import type { RenderRow } from './store.ts';
import type { VersionPin } from './tables.ts';
import type { InstallView } from './views.ts';

/** `git clone` URL of a repository stored under `storage`. */
export function cloneUrl(publicUrl: string, storage: string): string {
  return `${publicUrl}/git/${storage}.git`;
}

/** Automatic updates are on exactly while the install follows its package's latest version. */
export function automaticUpdatesEnabled(pin: VersionPin): boolean {
  return pin.kind === 'latest';
}

export function toInstall(row: InstallView, publicUrl: string, repositoryStorage: string): Install {
  return {
    id: row.id,
    html_url: `${publicUrl}/installs/${row.id}`,
    workspace_id: row.workspace_id,
    customer_workspace: { id: row.workspace_id, name: row.workspace_name },
    cluster_id: row.cluster_id ?? LOCAL_CLUSTER,
    package_version_id: row.package_version_id,
    state: row.state,
    reconciling: row.reconciling,
    urls: [],
    created_at: unixSeconds(row.created_at),
    updated_at: unixSeconds(row.updated_at),
    etag: etagOf(row.version),
    package_id: row.package_id,
    package_version_pin: row.version_pin,
    desired_version_id: row.desired_version_id,
    region_id: row.region_id,
    repository_id: row.repository_id,
    clone_url: cloneUrl(publicUrl, repositoryStorage),
    require_review: row.require_review,
  };
}

export function toRender(row: RenderRow): InstallRender {
  return {
    id: row.id,
    workspace_id: row.workspace_id,
    install_id: row.install_id,
    operation_id: row.operation_id,
    repository_change_request_id: row.repository_change_request_id,
    render_hash: row.render_hash,
    commit_sha: row.commit_sha,
    package_version_id: row.package_version_id,
    restored_from_render_id: row.restored_from_render_id,
    state: row.state,
    message: row.message,
    created_at: unixSeconds(row.created_at),
    updated_at: unixSeconds(row.updated_at),
    skip_unchanged: row.skip_unchanged,
    extra_annotations: row.extra_annotations,
    failure: row.failure,
  };
}
