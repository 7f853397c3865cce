/**
 * The `package.publish` job: commits a version's files (atoll.package.json, inputs.schema.json,
 * render.js, manifests/) to its package's repository, one commit per version in the order they were
 * published, with the trailer `Atoll-Package-Version: <id>`. Safe to run again: a version whose commit
 * is in the recent history is not committed twice.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { GitStore } from '../../git/store.ts';
import { defineJob, type JobDefinition } from '../../jobs/registry.ts';
import { publishJob } from '../jobs.ts';
import { findTrailerCommit } from '../renders/commit.ts';
import { touchRepository } from '../repositories/store.ts';
import { canonicalYaml } from '../engine/manifests.ts';
import type { ArtifactContents, HelmChartContents, HelmVersionSource } from '../tables.ts';
import { findPublishSource } from './store.ts';

const RECENT = 200;

/**
 * The files of a version: a JS package's as its archive held them; a Helm package's chart as pulled
 * (Chart metadata, values.yaml, values.schema.json when it has one), where it came from (source.yaml)
 * and the input schema installs are validated against.
 */
export function versionFiles(
  contents: ArtifactContents,
  version: { input_schema: Record<string, unknown>; source: HelmVersionSource | null; ref: string },
): Array<{ path: string; content: string }> {
  if (contents.kind === 'helm') return chartFiles(contents, version);
  const manifest = {
    name: contents.name,
    version: contents.version,
    ...(contents.description ? { description: contents.description } : {}),
  };
  return [
    { path: 'atoll.package.json', content: `${JSON.stringify(manifest, null, 2)}\n` },
    { path: 'inputs.schema.json', content: `${JSON.stringify(contents.input_schema, null, 2)}\n` },
    { path: 'render.js', content: contents.program },
    ...contents.manifests,
  ];
}

function chartFiles(
  contents: HelmChartContents,
  version: { input_schema: Record<string, unknown>; source: HelmVersionSource | null; ref: string },
): Array<{ path: string; content: string }> {
  const chart = {
    name: contents.name,
    version: contents.version,
    ...(contents.app_version !== null ? { appVersion: contents.app_version } : {}),
    ...(contents.description !== null ? { description: contents.description } : {}),
  };
  const source = { ...version.source, chart_digest: version.ref, files: contents.files };
  return [
    { path: 'Chart.yaml', content: canonicalYaml(chart) },
    { path: 'values.yaml', content: canonicalYaml(contents.values) },
    ...(contents.values_schema
      ? [{ path: 'values.schema.json', content: `${JSON.stringify(contents.values_schema, null, 2)}\n` }]
      : []),
    { path: 'inputs.schema.json', content: `${JSON.stringify(version.input_schema, null, 2)}\n` },
    { path: 'source.yaml', content: canonicalYaml(source) },
  ];
}

export function createPublishJobHandler(deps: { db: Kysely<DB>; git: GitStore }): JobDefinition {
  const { db, git } = deps;
  return defineJob(publishJob, {
    async run(job) {
      const { package_version_id: versionId } = job.payload;
      const found = await findPublishSource(db, versionId);
      if (!found || found.deleted_at !== null)
        return { package_version_id: versionId, skipped: 'package deleted' };
      await git.init(found.storage);
      const trailer = `Atoll-Package-Version: ${found.id}`;
      const made = await findTrailerCommit(git, found.storage, found.branch, trailer, RECENT);
      if (made) return { package_version_id: versionId, commit_sha: made };
      const head = await git.head(found.storage, found.branch);
      const sha = await git.commit(found.storage, {
        branch: found.branch,
        files: versionFiles(found.contents, found),
        message: `Publish ${found.semver}\n\n${trailer}\nAtoll-Artifact: ${found.ref}\n`,
        expectedHead: head,
      });
      await touchRepository(db, found.storage);
      return { package_version_id: versionId, commit_sha: sha };
    },
  });
}
