/**
 * Repositories as the API serves them: the install (deploy) repositories renders commit to, the package
 * repositories holding published package sources, and the forks of change requests. Read-only here:
 * they are created and removed with what owns them.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { unixSeconds } from '../../db/time.ts';
import type { GitStore } from '../../git/store.ts';
import { notFound } from '../../http/errors.ts';
import { etagOf } from '../../http/etag.ts';
import { toPage, type Page, type PageRequest } from '../../http/pagination.ts';
import { LOCAL_CLUSTER } from '../schemas.ts';
import { installsRendering } from '../renders/store.ts';
import * as store from '../store.ts';
import { cloneUrl } from '../resources.ts';
import type { RepositoryPurpose } from '../tables.ts';
import type { Repository } from './schemas.ts';

export type RepositoryService = ReturnType<typeof createRepositoryService>;

export function createRepositoryService(deps: { db: Kysely<DB>; git: GitStore; publicUrl: string }) {
  const { db, git, publicUrl } = deps;

  /** Which of `rows` have a render queued or running (deploy repositories only). */
  async function reconcilingOf(rows: store.RepositoryRow[]): Promise<Set<string>> {
    const installs = rows.flatMap((r) => (r.purpose === 'deploy' && r.install_id ? [r.install_id] : []));
    if (installs.length === 0) return new Set();
    return installsRendering(db, installs);
  }

  async function wire(row: store.RepositoryRow, reconciling: boolean, full: boolean): Promise<Repository> {
    const common = {
      id: row.id,
      name: row.name,
      workspace_id: row.workspace_id,
      created_at: unixSeconds(row.created_at),
      updated_at: unixSeconds(row.updated_at),
      etag: etagOf(row.version),
      reconciling,
      clone_url: cloneUrl(publicUrl, row.storage),
      ...(full
        ? {
            default_branch: row.branch,
            head_sha: (await git.exists(row.storage)) ? await git.head(row.storage, row.branch) : null,
          }
        : {}),
    };
    if (row.purpose === 'deploy') {
      return {
        ...common,
        purpose: 'deploy',
        cluster_id: row.cluster_id ?? LOCAL_CLUSTER,
        last_deploy_sha: row.last_deploy_sha,
        last_render_hash: row.last_render_hash,
        install_id: row.install_id!,
      };
    }
    if (row.purpose === 'package') return { ...common, purpose: 'package', package_id: row.package_id! };
    return {
      ...common,
      purpose: 'repository_change_request',
      repository_change_request_id: row.repository_change_request_id!,
    };
  }

  return {
    async get(workspaceId: string, id: string, view: 'basic' | 'full'): Promise<Repository> {
      const row = await store.findRepository(db, workspaceId, id);
      if (!row) throw notFound('repository', id);
      const reconciling = await reconcilingOf([row]);
      return wire(row, row.install_id !== null && reconciling.has(row.install_id), view === 'full');
    },

    async list(
      workspaceId: string,
      purpose: RepositoryPurpose | undefined,
      page: PageRequest,
      view: 'basic' | 'full',
    ): Promise<Page<Repository>> {
      const rows = await store.listRepositories(db, workspaceId, purpose, page);
      const shown = rows.slice(0, page.limit);
      const reconciling = await reconcilingOf(shown);
      const served = await Promise.all(
        shown.map((r) =>
          wire(
            r,
            r.install_id !== null && r.purpose === 'deploy' && reconciling.has(r.install_id),
            view === 'full',
          ),
        ),
      );
      const byId = new Map(served.map((r) => [r.id, r]));
      return toPage(rows, page, (r) => byId.get(r.id)!);
    },
  };
}
