/**
 * Package, package version and package artifact schemas (Akua `Package`, `CreatePackageBody`,
 * `PackageVersion`, `CreatePackageVersionBody`, `PackageOperationEnvelope`). A package is created
 * from a Helm chart in an OCI registry (`sources`, as published) or from an uploaded Atoll package
 * artifact (`ref`); docs/packages.md.
 */
import { z } from '@hono/zod-openapi';
import { listOf, orNull, UnixSeconds } from '../../http/schemas.ts';
import { PackageCreateMetadata, PackageCreateResponse } from '../../operations/kinds.ts';
import { Operation } from '../../operations/schemas.ts';

const SEMVER_PATTERN =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|[0-9A-Za-z-]*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|[0-9A-Za-z-]*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export const Semver = z
  .string()
  .min(1)
  .max(128)
  .regex(SEMVER_PATTERN, 'must be a semantic version such as 1.2.3')
  .openapi({ example: '1.2.3' });

export const ArtifactRef = z
  .string()
  .min(1)
  .max(512)
  .openapi({
    description:
      'Digest of an uploaded package artifact (`sha256:` + 64 hex digits), as returned by POST /v1/package_artifacts or `atoll package publish`.',
    example: `sha256:${'0'.repeat(64)}`,
  });

export const PackageSource = z
  .object({
    kind: z.literal('hosted'),
    repository_id: z
      .string()
      .min(1)
      .max(55)
      .openapi({ description: 'Repository holding the package source' }),
  })
  .openapi('PackageSource');

export const Package = z
  .object({
    id: z.string().min(1).max(54),
    html_url: z.string(),
    workspace_id: z.string().min(1).max(53),
    name: z.string(),
    latest_version_id: z.string().min(1).max(55),
    description: z.string().nullable(),
    display_image_url: z.string().nullable(),
    source: PackageSource,
    composed_from_sources: z
      .array(z.record(z.string(), z.unknown()))
      .nullable()
      .optional()
      .openapi({ description: 'Only with `view=full`: the artifacts the package was published from.' }),
    created_at: UnixSeconds,
    etag: z.string(),
  })
  .openapi('Package');
export type Package = z.infer<typeof Package>;

export const PackageList = listOf(Package, 'PackageList');

const HelmSource = z
  .strictObject({
    kind: z.literal('helm'),
    repo_url: z
      .string()
      .min(1)
      .max(2048)
      .regex(/^oci:\/\//, 'must be an oci:// URL, e.g. oci://registry.example.com/charts')
      .openapi({
        description:
          'The OCI repository holding the chart (`oci://host[:port]/path`), or the chart itself when `chart` is left out. Loopback registries and those in ATOLL_OCI_PLAIN_HTTP are spoken to over plain HTTP, others over HTTPS.',
      }),
    chart: z
      .string()
      .max(255)
      .optional()
      .openapi({ description: 'The chart name, appended to `repo_url` as its last path segment.' }),
    target_revision: z.string().min(1).max(256).openapi({
      description:
        'A chart version (an OCI tag; `+` is written `_`, as Helm pushes it) or a manifest digest (`sha256:…`). The version is pinned to the bytes pulled first.',
    }),
    path: z
      .string()
      .max(2048)
      .optional()
      .openapi({ description: 'Not for OCI charts (a chart is the whole artifact): refused with 422.' }),
    values: z.record(z.string(), z.unknown()).optional().openapi({
      description:
        "Values over the chart's values.yaml for every install of this version; installs' values go over them.",
    }),
  })
  .openapi('CreatePackageHelmSource');

export const CreatePackageBody = z
  .strictObject({
    name: z.string().min(1).max(120),
    display_image_url: z.url().max(2048).optional(),
    sources: z.array(HelmSource).min(1).max(1).optional().openapi({
      description:
        "The Helm chart of the first version, pulled from its OCI registry with the workspace's registry connection for it. Exactly one source.",
    }),
    ref: ArtifactRef.optional().openapi({
      description:
        'Atoll: the uploaded artifact holding the first version of an Atoll JS package, instead of `sources`. Not needed when the body is the artifact itself (`application/gzip`).',
    }),
  })
  .openapi('CreatePackageBody');
export type CreatePackageBody = z.infer<typeof CreatePackageBody>;

/**
 * What POST /v1/packages answers: its package.create operation, typed as that kind. Built from the
 * fields of Operation rather than by `.extend`, which would document it as `allOf: [Operation, …]`.
 */
export const PackageOperation = z
  .object({
    ...Operation.shape,
    metadata: PackageCreateMetadata,
    response: orNull(PackageCreateResponse),
  })
  .openapi('PackageOperationEnvelope');
export type PackageOperation = z.infer<typeof PackageOperation>;

export const PackageVersion = z
  .object({
    id: z.string().min(1).max(55),
    package_id: z.string().min(1).max(54),
    semver: Semver,
    ref: z.string(),
    input_schema: z.record(z.string(), z.unknown()),
    published_at: UnixSeconds,
    created_at: UnixSeconds,
    etag: z.string(),
  })
  .openapi('PackageVersion');
export type PackageVersion = z.infer<typeof PackageVersion>;

export const PackageVersionList = listOf(PackageVersion, 'PackageVersionList');

export const PackageVersionInputs = z.record(z.string(), z.unknown()).openapi('PackageVersionInputs');

/** Atoll: the files a version was published with, as its package repository holds them. */
export const PackageVersionFiles = z
  .object({
    package_version_id: z.string(),
    files: z.array(z.object({ path: z.string(), content: z.string() })).openapi({
      description:
        'Atoll: a JS package: atoll.package.json, inputs.schema.json, render.js and manifests/*.yaml as published; a Helm package: Chart.yaml, values.yaml, values.schema.json (if any), inputs.schema.json and source.yaml (the chart itself stays a binary artifact).',
    }),
  })
  .openapi('PackageVersionFiles');
export type PackageVersionFiles = z.infer<typeof PackageVersionFiles>;

const Compatibility = z.object({
  clusterTypes: z.array(z.string()),
  kubernetes: z.object({ minVersion: z.string().optional(), maxVersion: z.string().optional() }),
  placement: z.object({
    providers: z.union([z.literal('any'), z.array(z.string())]),
    regions: z.union([z.literal('any'), z.array(z.string())]),
  }),
  kaas: z.object({ networkProfile: z.enum(['linux_cilium', 'mixed_os_calico']) }).optional(),
});

export const CreatePackageVersionBody = z
  .strictObject({
    semver: Semver.optional().openapi({
      description: "JS packages (required for them): the artifact's version. Helm packages: leave out.",
    }),
    ref: ArtifactRef.optional().openapi({
      description: 'JS packages (required for them): the uploaded artifact. Helm packages: leave out.',
    }),
    input_schema: PackageVersionInputs.optional().openapi({
      description:
        "JS packages (required for them): the artifact's input schema (inputs.schema.json); it must equal the artifact's. Helm packages: leave out.",
    }),
    sources: z.array(HelmSource).min(1).max(1).optional().openapi({
      description:
        'Atoll: Helm packages: the chart of the new version (a newer `target_revision`); its semver and input schema come from the chart.',
    }),
    compatibility: Compatibility.optional(),
  })
  .openapi('CreatePackageVersionBody');
export type CreatePackageVersionBody = z.infer<typeof CreatePackageVersionBody>;

export const PackageArtifact = z
  .object({
    ref: z.string().openapi({ description: '`sha256:` + hex SHA-256 of the archive bytes' }),
    size: z.number().int(),
    name: z.string(),
    version: Semver,
    description: z.string().nullable(),
    input_schema: z.record(z.string(), z.unknown()),
    files: z.array(z.string()),
    created_at: UnixSeconds,
  })
  .openapi('PackageArtifact');
export type PackageArtifact = z.infer<typeof PackageArtifact>;

export const PackageView = z.enum(['basic', 'full']).default('basic').openapi({
  description:
    'Controls whether sensitive source provenance is included. `basic` omits `composed_from_sources`.',
});
