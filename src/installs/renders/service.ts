/**
 * Renders of an install: start one (201, `running`; the queue carries it out), list and get them, and
 * the lifecycle actions that are renders too: :update (another version of the package; the install
 * switches when that render deploys) and :restore (a deployed render's tree as a new forward commit).
 * New versions of a package start an update render of every install that follows `latest` (automatic
 * updates, turned on and off by setAutomaticUpdates).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { GitStore } from '../../git/store.ts';
import { unixSeconds } from '../../db/time.ts';
import type { Caller } from '../../http/context.ts';
import { failedPrecondition, invalid, notFound } from '../../http/errors.ts';
import { assertIfMatch, etagOf } from '../../http/etag.ts';
import { toPage, type Page, type PageRequest } from '../../http/pagination.ts';
import type { Actor, InstallChange } from '../actor.ts';
import type { VersionPublished } from '../packages/service.ts';
import { findPackageById, findVersion, findVersionById } from '../packages/store.ts';
import { diffCommits, firstParent, NO_CHANGES } from '../diff.ts';
import { getRepository } from '../repositories/store.ts';
import type {
  CreateInstallRenderBody,
  InstallLifecycleMutation,
  InstallRender,
  InstallRenderDiff,
} from '../schemas.ts';
import * as store from '../store.ts';
import type { VersionPin } from '../tables.ts';
import { automaticUpdatesEnabled, toRender } from '../resources.ts';
import { assertExtraAnnotations } from './annotations.ts';
import { skipIfUnchanged } from './fast-skip.ts';
import { startRender } from './start.ts';

export type RenderService = ReturnType<typeof createRenderService>;

export function createRenderService({ db, git }: { db: Kysely<DB>; git: GitStore }) {
  /** The install locked in a transaction, or 404; 409 when it is deleted. */
  async function lockLive(trx: Kysely<DB>, workspaceId: string, id: string): Promise<store.InstallRow> {
    const install = await store.lockInstall(trx, id);
    if (!install || install.workspace_id !== workspaceId) throw notFound('install', id);
    if (install.state === 'deleted') throw failedPrecondition(`install ${id} is deleted`);
    return install;
  }

  async function lifecycle(
    trx: Kysely<DB>,
    installId: string,
    render: store.RenderRow | null,
  ): Promise<InstallLifecycleMutation> {
    const install = await store.getInstall(trx, installId);
    const summary = async (id: string | null) => {
      const version = id ? await findVersionById(trx, id) : undefined;
      return version ? { id: version.id, semver: version.semver } : null;
    };
    return {
      install: {
        id: install.id,
        current_version: await summary(install.package_version_id),
        desired_version: await summary(install.desired_version_id),
        automatic_updates_enabled: automaticUpdatesEnabled(install.version_pin),
        updated_at: unixSeconds(install.updated_at),
        etag: etagOf(install.version),
      },
      render: render ? toRender(render) : null,
    };
  }

  /** Points the install at a version it is not on yet (bumping its etag) and starts the render of it. */
  async function renderVersion(
    trx: Kysely<DB>,
    install: store.InstallRow,
    input: {
      versionId: string;
      values: Record<string, unknown>;
      message: string;
      createdBy: string;
      restoredFrom?: string;
    },
  ): Promise<store.RenderRow> {
    const desired = input.versionId === install.package_version_id ? null : input.versionId;
    await store.setDesiredVersion(trx, install.id, desired);
    const { render } = await startRender(trx, {
      workspaceId: install.workspace_id,
      installId: install.id,
      createdBy: input.createdBy,
      packageVersionId: input.versionId,
      inputValues: input.values,
      message: input.message,
      skipUnchanged: true,
      extraAnnotations: {},
      restoredFromRenderId: input.restoredFrom ?? null,
    });
    return render;
  }

  async function semverOf(trx: Kysely<DB>, versionId: string): Promise<string> {
    return (await findVersionById(trx, versionId))!.semver;
  }

  /** The update render to the latest version, unless the install is on or moving to it already. */
  async function followLatest(
    trx: Kysely<DB>,
    install: store.InstallRow,
    latestVersionId: string,
    caller: Caller,
  ): Promise<store.RenderRow | null> {
    const target = install.desired_version_id ?? install.package_version_id;
    if (target === latestVersionId) return null;
    return renderVersion(trx, install, {
      versionId: latestVersionId,
      values: install.input_values,
      message: `Update to ${await semverOf(trx, latestVersionId)} (latest)`,
      createdBy: caller.subject,
    });
  }

  return {
    async create(
      { workspaceId, caller }: Actor,
      { installId, body }: { installId: string; body: CreateInstallRenderBody },
    ): Promise<InstallRender> {
      const annotations = body.extra_annotations ?? {};
      assertExtraAnnotations(annotations);
      const render = await db.transaction().execute(async (trx) => {
        const install = await lockLive(trx, workspaceId, installId);
        const skipUnchanged = body.skip_unchanged ?? true;
        if (skipUnchanged) {
          const skipped = await skipIfUnchanged(trx, install, {
            createdBy: caller.subject,
            message: body.message ?? null,
            extraAnnotations: annotations,
          });
          if (skipped) return skipped;
        }
        const { render } = await startRender(trx, {
          workspaceId,
          installId,
          createdBy: caller.subject,
          packageVersionId: install.desired_version_id ?? install.package_version_id,
          inputValues: install.input_values,
          message: body.message ?? null,
          skipUnchanged,
          extraAnnotations: annotations,
        });
        return render;
      });
      return toRender(render);
    },

    async list(workspaceId: string, installId: string, page: PageRequest): Promise<Page<InstallRender>> {
      if (!(await store.findInstall(db, workspaceId, installId))) throw notFound('install', installId);
      return toPage(await store.listRenders(db, installId, page), page, toRender);
    },

    async get(workspaceId: string, installId: string, renderId: string): Promise<InstallRender> {
      const row = await store.findInstallRender(db, workspaceId, installId, renderId);
      if (!row) throw notFound('render', renderId);
      return toRender(row);
    },

    /**
     * What the render's commit changed: the commit against its first parent, which is the head of main
     * it was committed on (renders move main by compare-and-swap from that head; a merge's first parent is
     * main). A render without a commit answers no files; a root commit is compared with the empty tree.
     */
    async diff(workspaceId: string, installId: string, renderId: string): Promise<InstallRenderDiff> {
      const row = await store.findInstallRender(db, workspaceId, installId, renderId);
      if (!row) throw notFound('render', renderId);
      const head = { render_id: row.id, install_id: row.install_id, commit_sha: row.commit_sha };
      if (!row.commit_sha) return { ...head, from_sha: null, to_sha: null, ...NO_CHANGES };
      const install = await store.getInstall(db, row.install_id);
      const repo = await getRepository(db, install.repository_id);
      const gone = `the repository of install ${installId} was deleted with it; its commits are gone`;
      if (repo.deleted_at) throw failedPrecondition(gone);
      const parent = await firstParent(git, repo.storage, row.commit_sha, gone);
      const diff = await diffCommits(git, repo.storage, parent, row.commit_sha, gone);
      return { ...head, from_sha: parent, to_sha: row.commit_sha, ...diff };
    },

    async update(
      { workspaceId, caller }: Actor,
      { installId, ifMatch, versionId }: InstallChange & { versionId: string },
    ): Promise<InstallLifecycleMutation> {
      return db.transaction().execute(async (trx) => {
        const install = await lockLive(trx, workspaceId, installId);
        assertIfMatch('install', ifMatch, install.version);
        const version = await findVersion(trx, workspaceId, versionId);
        if (!version)
          throw invalid(
            ['body', 'package_version_id'],
            `package version ${versionId} not found in this workspace`,
          );
        if (version.package_id !== install.package_id) {
          throw invalid(
            ['body', 'package_version_id'],
            `package version ${versionId} belongs to another package; an install can only move between versions of its own package (${install.package_id})`,
          );
        }
        const render = await renderVersion(trx, install, {
          versionId,
          values: install.input_values,
          message: `Update to ${version.semver}`,
          createdBy: caller.subject,
        });
        return lifecycle(trx, installId, render);
      });
    },

    async restore(
      { workspaceId, caller }: Actor,
      { installId, ifMatch, renderId }: InstallChange & { renderId: string },
    ): Promise<InstallLifecycleMutation> {
      return db.transaction().execute(async (trx) => {
        const install = await lockLive(trx, workspaceId, installId);
        assertIfMatch('install', ifMatch, install.version);
        const source = await store.findInstallRender(trx, workspaceId, installId, renderId);
        if (!source)
          throw invalid(['body', 'render_id'], `render ${renderId} is not a render of install ${installId}`);
        if (source.state !== 'deployed' || !source.commit_sha) {
          throw invalid(
            ['body', 'render_id'],
            `render ${renderId} is ${source.state}; only a deployed render (one with a commit) can be restored`,
          );
        }
        const render = await renderVersion(trx, install, {
          versionId: source.package_version_id,
          values: source.input_values,
          message: `Restore render ${renderId}`,
          createdBy: caller.subject,
          restoredFrom: renderId,
        });
        return lifecycle(trx, installId, render);
      });
    },

    /**
     * installs.setAutomaticUpdates. On: the install follows `latest` again and, unless it is on or moving
     * to the latest version already, gets the update render to it. Off: it is pinned to the version it
     * is on (a pending update still deploys, and the pin then follows it). Asking for what is set
     * already changes nothing.
     */
    async setAutomaticUpdates(
      { workspaceId, caller }: Actor,
      { installId, ifMatch, enabled }: InstallChange & { enabled: boolean },
    ): Promise<InstallLifecycleMutation> {
      return db.transaction().execute(async (trx) => {
        const install = await lockLive(trx, workspaceId, installId);
        assertIfMatch('install', ifMatch, install.version);
        if (automaticUpdatesEnabled(install.version_pin) === enabled) return lifecycle(trx, installId, null);
        const pin: VersionPin = enabled
          ? { kind: 'latest' }
          : { kind: 'pinned', version: await semverOf(trx, install.package_version_id) };
        await store.setVersionPin(trx, installId, pin);
        let render: store.RenderRow | null = null;
        if (enabled) {
          const pkg = (await findPackageById(trx, install.package_id))!;
          if (pkg.latest_version_id) render = await followLatest(trx, install, pkg.latest_version_id, caller);
        }
        return lifecycle(trx, installId, render);
      });
    },

    /** Starts an update render of each install following the package's latest version (automatic updates). */
    onVersionPublished: (async (trx, event) => {
      for (const install of await store.installsFollowingLatest(trx, event.packageId)) {
        await followLatest(trx, install, event.latestVersionId, event.caller);
      }
    }) satisfies VersionPublished,
  };
}
