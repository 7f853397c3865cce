/** Row → resource mappers of packages, package versions and artifacts (`to<Resource>`). */
import { unixSeconds } from '../../db/time.ts';
import { etagOf } from '../../http/etag.ts';
import { inferSchema } from '../charts/infer-schema.ts';
import type { Package, PackageArtifact, PackageVersion } from './schemas.ts';
import type { ArtifactRow, PackageRow, PackageVersionRow } from './store.ts';

export function toPackage(
  row: PackageRow,
  publicUrl: string,
  full: Pick<PackageVersionRow, 'ref' | 'semver' | 'source'>[] | undefined,
): Package {
  return {
    id: row.id,
    html_url: `${publicUrl}/packages/${row.id}`,
    workspace_id: row.workspace_id,
    name: row.name,
    latest_version_id: row.latest_version_id!,
    description: row.description,
    display_image_url: row.display_image_url,
    source: { kind: 'hosted', repository_id: row.repository_id },
    ...(full
      ? {
          composed_from_sources: full.map((v) =>
            v.source
              ? {
                  kind: 'helm',
                  repo_url: v.source.repo_url,
                  ...(v.source.chart !== null ? { chart: v.source.chart } : {}),
                  target_revision: v.source.target_revision,
                  manifest_digest: v.source.manifest_digest,
                  chart_digest: v.ref,
                  semver: v.semver,
                }
              : { kind: 'artifact', ref: v.ref, semver: v.semver },
          ),
        }
      : {}),
    created_at: unixSeconds(row.created_at),
    etag: etagOf(row.version),
  };
}

export function toPackageVersion(row: PackageVersionRow): PackageVersion {
  return {
    id: row.id,
    package_id: row.package_id,
    semver: row.semver,
    ref: row.ref,
    input_schema: row.input_schema,
    published_at: unixSeconds(row.published_at),
    created_at: unixSeconds(row.created_at),
    etag: '1',
  };
}

/** An artifact: a JS package's archive, or a chart pulled for a Helm package (same digest, same row). */
export function toArtifact(row: ArtifactRow): PackageArtifact {
  const c = row.contents;
  const helm = c.kind === 'helm';
  return {
    ref: row.digest,
    size: row.size,
    name: c.name,
    version: c.version,
    description: c.description,
    input_schema: helm ? (c.values_schema ?? inferSchema(c.values)) : c.input_schema,
    files: helm
      ? c.files
      : ['atoll.package.json', 'inputs.schema.json', 'render.js', ...c.manifests.map((m) => m.path)],
    created_at: unixSeconds(row.created_at),
  };
}
