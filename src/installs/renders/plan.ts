/**
 * What a render will commit, worked out before anything is written: the tree (manifests, inputs.yaml,
 * package.yaml), its render hash, the values and version it stands for, and any extra parent (the
 * change request's head, for a merge). Three sources: the install's own values (a plain render), a
 * deployed render's commit (a restore copies its tree), and a change request's fork (its inputs.yaml and
 * package.yaml are rendered; its manifests/ must be what the render produces). Failures are values.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { GitStore, TreeFile } from '../../git/store.ts';
import type { Executor } from '../../isolate/executor.ts';
import {
  findArtifact,
  findArtifactBytes,
  findVersionBySemver,
  findPackageById,
  findVersionById,
  type PackageVersionRow,
} from '../packages/store.ts';
import type { HelmTemplater } from '../charts/helm-template.ts';
import { renderKey, renderPackage, type RenderResult } from '../engine/engine.ts';
import { renderChart } from '../engine/helm.ts';
import { renderHash } from '../engine/manifests.ts';
import {
  foreignPaths,
  INPUTS_FILE,
  installTree,
  MANIFESTS_DIR,
  PACKAGE_FILE,
  parseInputs,
  parsePackageVersion,
  TreeError,
  type PackageRef,
} from '../engine/tree.ts';
import { findRender, type InstallRow, type RenderRow, type RepositoryRow } from '../store.ts';
import type { RenderFailure } from '../tables.ts';

export type Plan = {
  files: TreeFile[];
  hash: string;
  values: Record<string, unknown>;
  packageVersionId: string;
  /** The render key of rendered manifests (engine.ts renderKey); null for a restored tree. */
  key: string | null;
  /** Further parents of the commit (a change request's head). */
  mergeParents: string[];
};

export type PlanResult = { ok: true; plan: Plan } | { ok: false; failure: RenderFailure };

export type PlanDeps = {
  db: Kysely<DB>;
  git: GitStore;
  executor: Executor;
  /** Helm packages: `helm template` in a sandbox (charts/helm-template.ts). */
  helmTemplate: HelmTemplater;
  limits: { memoryMb: number; cpuMs: number; wallMs: number; resultBytes: number };
};

async function packageRef(db: Kysely<DB>, version: PackageVersionRow): Promise<PackageRef> {
  const pkg = (await findPackageById(db, version.package_id))!;
  return {
    package: pkg.name,
    package_id: pkg.id,
    version: version.semver,
    package_version_id: version.id,
    ref: version.ref,
  };
}

async function loadVersion(db: Kysely<DB>, id: string): Promise<PackageVersionRow> {
  return (await findVersionById(db, id))!;
}

/** Renders `values` with a version into the install's tree. */
async function renderTree(
  deps: PlanDeps,
  install: InstallRow,
  render: RenderRow,
  version: PackageVersionRow,
  values: Record<string, unknown>,
): Promise<PlanResult> {
  const artifact = await findArtifact(deps.db, version.workspace_id, version.ref);
  if (!artifact)
    return {
      ok: false,
      failure: {
        code: 'artifact_missing',
        message: `the artifact ${version.ref} of version ${version.semver} is gone`,
      },
    };
  const ref = await packageRef(deps.db, version);
  const context = {
    install: { id: install.id, workspace_id: install.workspace_id },
    package: { name: ref.package, version: version.semver },
  };
  let result: RenderResult;
  if (artifact.contents.kind === 'helm') {
    const chart = await findArtifactBytes(deps.db, version.workspace_id, version.ref);
    result = await renderChart(deps.helmTemplate, {
      chart: chart!,
      inputSchema: version.input_schema,
      baseValues: version.base_values ?? {},
      sourceValues: version.source?.values ?? {},
      values,
      context,
      extraAnnotations: render.extra_annotations,
    });
  } else {
    result = await renderPackage(deps.executor, {
      contents: artifact.contents,
      values,
      context,
      extraAnnotations: render.extra_annotations,
      limits: deps.limits,
    });
  }
  if (!result.ok) return result;
  return {
    ok: true,
    plan: {
      files: installTree(result.files, values, ref),
      hash: result.hash,
      values,
      packageVersionId: version.id,
      key: renderKey({ ref: version.ref, values, extraAnnotations: render.extra_annotations, context }),
      mergeParents: [],
    },
  };
}

/** A plain render: the render's values and version. */
export async function planRender(
  deps: PlanDeps,
  install: InstallRow,
  render: RenderRow,
): Promise<PlanResult> {
  return renderTree(
    deps,
    install,
    render,
    await loadVersion(deps.db, render.package_version_id),
    render.input_values,
  );
}

/** A restore: the tree of a deployed render's commit, byte for byte. */
export async function planRestore(
  deps: PlanDeps,
  repo: RepositoryRow,
  render: RenderRow,
): Promise<PlanResult> {
  const source = (await findRender(deps.db, render.restored_from_render_id!))!;
  if (!source.commit_sha || !source.render_hash) {
    return {
      ok: false,
      failure: { code: 'not_restorable', message: `render ${source.id} has no commit to restore` },
    };
  }
  let stored;
  try {
    stored = await deps.git.readFiles(repo.storage, source.commit_sha);
  } catch (error) {
    return {
      ok: false,
      failure: {
        code: 'commit_missing',
        message: `the commit ${source.commit_sha} of render ${source.id} cannot be read: ${(error as Error).message}`,
      },
    };
  }
  const files = stored.map((f) => ({ path: f.path, content: f.content }));
  const manifests = stored
    .filter((f) => f.path.startsWith(MANIFESTS_DIR))
    .map((f) => ({ filename: f.path.slice(MANIFESTS_DIR.length), yaml: f.content.toString('utf8') }));
  return {
    ok: true,
    plan: {
      files,
      hash: renderHash(manifests),
      values: source.input_values,
      packageVersionId: source.package_version_id,
      key: null,
      mergeParents: [],
    },
  };
}

/**
 * A change request, merged file by file against where its fork started: a file the fork changed wins,
 * unless main changed it too since (a conflict); the fork's inputs.yaml and package.yaml are rendered.
 * Files outside the layout are refused, and so are hand edits to manifests/ that the render does not
 * produce (they would be silently overwritten).
 */
export async function planChangeRequest(
  deps: PlanDeps,
  install: InstallRow,
  render: RenderRow,
  parent: { storage: string; head: string | null },
  fork: { storage: string; branch: string; baseSha: string },
): Promise<PlanResult> {
  const head = await deps.git.head(fork.storage, fork.branch);
  if (!head)
    return {
      ok: false,
      failure: { code: 'fork_missing', message: 'the change request has no branch to merge' },
    };
  const changed = await deps.git.changedPaths(fork.storage, fork.baseSha, head);
  if (changed.length === 0) {
    return {
      ok: false,
      failure: {
        code: 'no_changes',
        message: 'the change request has no changes; push commits to its fork first',
      },
    };
  }
  const foreign = foreignPaths(changed);
  if (foreign.length > 0) {
    return {
      ok: false,
      failure: {
        code: 'unsupported_change',
        message: `${foreign[0]}: an install repository holds only inputs.yaml, package.yaml and manifests/; remove ${foreign.length === 1 ? 'this file' : `these ${foreign.length} files`} from the change`,
        path: [foreign[0]!],
      },
    };
  }
  const mainMoved =
    parent.head !== null && parent.head !== fork.baseSha
      ? await deps.git.changedPaths(parent.storage, fork.baseSha, parent.head)
      : [];
  const conflict = [INPUTS_FILE, PACKAGE_FILE].find((f) => changed.includes(f) && mainMoved.includes(f));
  if (conflict) {
    return {
      ok: false,
      failure: {
        code: 'conflict',
        message: `${conflict}: main changed it too since this change request was opened; open a new change request from the current main`,
        path: [conflict],
      },
    };
  }
  const files = new Map(
    (await deps.git.readFiles(fork.storage, head)).map((f) => [f.path, f.content.toString('utf8')]),
  );
  const current = await loadVersion(deps.db, render.package_version_id);
  const base = await packageRef(deps.db, current);
  let values = render.input_values;
  let version = current;
  try {
    if (changed.includes(INPUTS_FILE)) values = parseInputs(files.get(INPUTS_FILE) ?? '');
    if (changed.includes(PACKAGE_FILE)) {
      const semver = parsePackageVersion(files.get(PACKAGE_FILE) ?? '', base);
      if (semver !== current.semver) {
        const wanted = await findVersionBySemver(deps.db, current.package_id, semver);
        if (!wanted)
          throw new TreeError(
            PACKAGE_FILE,
            `version ${semver} of ${base.package} does not exist; publish it first or name an existing version`,
          );
        version = wanted;
      }
    }
  } catch (error) {
    if (error instanceof TreeError)
      return { ok: false, failure: { code: 'invalid_change', message: error.message, path: [error.file] } };
    throw error;
  }
  const rendered = await renderTree(deps, install, render, version, values);
  if (!rendered.ok) return rendered;
  const produced = new Map(rendered.plan.files.map((f) => [f.path, String(f.content)]));
  const handEdited = changed.filter((p) => p.startsWith(MANIFESTS_DIR) && files.get(p) !== produced.get(p));
  if (handEdited.length > 0) {
    return {
      ok: false,
      failure: {
        code: 'manifest_edit_not_rendered',
        message: `${handEdited[0]}: manifests/ is generated from the package, and this edit is not what rendering inputs.yaml and package.yaml produces, so it would be lost; change inputs.yaml or package.yaml instead`,
        path: [handEdited[0]!],
      },
    };
  }
  return { ok: true, plan: { ...rendered.plan, mergeParents: [head] } };
}
