/**
 * Package, package version and package artifact schemas (Akua `Package`, `CreatePackageBody`,
 * `PackageVersion`, `CreatePackageVersionBody`, `PackageOperationEnvelope`). Atoll hosts packages
 * itself: a package is created from an uploaded artifact (`ref`), never from Helm (yet).
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
    repo_url: z.string().min(1).max(2048),
    chart: z.string().max(255).optional(),
    target_revision: z.string().min(1).max(256),
    path: z.string().max(2048).optional(),
    values: z.record(z.string(), z.unknown()).optional(),
  })
  .openapi('CreatePackageHelmSource');

export const CreatePackageBody = z
  .strictObject({
    name: z.string().min(1).max(120),
    display_image_url: z.url().max(2048).optional(),
    sources: z.array(HelmSource).min(1).max(1).optional().openapi({
      description: 'Helm sources are not supported by Atoll yet: a request with them is refused (422).',
    }),
    ref: ArtifactRef.optional().openapi({
      description:
        'Atoll: the uploaded artifact holding the first version. Required unless the body is the artifact itself (`application/gzip`).',
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
    semver: Semver,
    ref: ArtifactRef,
    input_schema: PackageVersionInputs.openapi({
      description: "The artifact's input schema (inputs.schema.json); it must equal the artifact's.",
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
