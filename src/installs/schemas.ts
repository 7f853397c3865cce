/**
 * Install and render schemas (Akua `Install`, `CreateInstallBody`, `InstallRender`,
 * `CreateInstallRenderBody`, `UpdateInstallVersionBody`, `RestoreInstallBody`,
 * `InstallLifecycleMutation`). Fields marked "Atoll:" extend the spec's shapes; docs/installs.md.
 */
import { z } from '@hono/zod-openapi';
import { listOf, orNull, UnixSeconds } from '../http/schemas.ts';
import { LOCAL_REGION } from '../platform/regions/schemas.ts';
import { DiffFields } from './diff.ts';
import { Semver } from './packages/schemas.ts';

export const INSTALL_STATES = [
  'pending',
  'rendering',
  'syncing',
  'healthy',
  'degraded',
  'failed',
  'deleted',
] as const;
export const RENDER_STATES = ['running', 'deployed', 'skipped', 'failed'] as const;

/** The deployment target of every region: the install's git repository, synced by Argo CD or Flux. */
export const LOCAL_CLUSTER = 'local';

export const PackageVersionPin = z
  .union([
    z.strictObject({ kind: z.literal('latest') }),
    z.strictObject({ kind: z.literal('pinned'), version: Semver }),
  ])
  .openapi('InstallPackageVersionPin');
export type PackageVersionPin = z.infer<typeof PackageVersionPin>;

export const CreateInstallBody = z
  .strictObject({
    product_id: z.string().min(1).max(55).optional().openapi({
      description: 'Products are not part of Atoll: a request with product_id is refused (422).',
    }),
    package_id: z.string().min(1).max(54).optional(),
    package_version_pin: PackageVersionPin.optional(),
    region_id: z
      .string()
      .min(1)
      .max(54)
      .openapi({
        description: `The id of one of the workspace's regions (GET /v1/regions); every workspace has \`${LOCAL_REGION}\`.`,
        example: LOCAL_REGION,
      }),
    cluster_id: z
      .string()
      .min(1)
      .max(54)
      .optional()
      .openapi({ description: `Every region's one target, \`${LOCAL_CLUSTER}\` (the default).` }),
    initial_values: z.record(z.string(), z.unknown()).optional(),
    require_review: z.boolean().optional().openapi({
      description:
        'Atoll: when true, a render whose output changed opens a repository change request instead of committing to main.',
    }),
  })
  .openapi('CreateInstallBody', {
    description: 'Provide `package_id` with `package_version_pin` for a direct package installation.',
  });
export type CreateInstallBody = z.infer<typeof CreateInstallBody>;

/** An address an install is reachable at (Akua `InstallUrl`); an Atoll install has none (docs/installs.md). */
export const InstallUrl = z
  .object({
    route_key: z.string(),
    hostname: z.string(),
    url: z.url(),
    protocol: z.enum(['http', 'websocket', 'grpc']),
    routing_mode: z.enum(['through_dispatcher', 'bypass_dispatcher']),
    status: z.enum(['pending', 'provisioning', 'active', 'not_ready', 'failed']),
    error: z.string().optional(),
    last_observed_at: UnixSeconds.optional(),
    updated_at: UnixSeconds,
  })
  .openapi('InstallUrl');

export const Install = z
  .object({
    id: z.string().min(1).max(55),
    html_url: z.string(),
    workspace_id: z.string().min(1).max(53),
    customer_workspace: z.object({ id: z.string(), name: z.string() }),
    cluster_id: z.string(),
    package_version_id: z.string(),
    state: z.enum(INSTALL_STATES),
    reconciling: z
      .boolean()
      .openapi({ description: 'True while a render of the install is queued or running.' }),
    urls: z
      .array(InstallUrl)
      .openapi({ description: 'Always empty: Atoll does not route traffic to installs.' }),
    created_at: UnixSeconds,
    updated_at: UnixSeconds,
    etag: z.string(),
    package_id: z.string().openapi({ description: 'Atoll: the installed package.' }),
    package_version_pin: PackageVersionPin.openapi({ description: 'Atoll: how the version was chosen.' }),
    desired_version_id: z.string().nullable().openapi({
      description: 'Atoll: the version an :update or :restore asks for, until its render deploys.',
    }),
    region_id: z.string().openapi({ description: `Atoll: the install's region (\`${LOCAL_REGION}\`).` }),
    repository_id: z.string().openapi({ description: "Atoll: the install's git repository." }),
    clone_url: z
      .string()
      .openapi({ description: 'Atoll: `git clone` URL of the repository (docs/installs.md).' }),
    require_review: z.boolean().openapi({
      description: 'Atoll: whether a changed render waits for review in a repository change request.',
    }),
  })
  .openapi('Install');
export type Install = z.infer<typeof Install>;

export const InstallList = listOf(Install, 'InstallList');

export const InstallsQuery = z.strictObject({
  product_id: z.string().min(1).max(55).optional(),
});

export const RenderFailure = z
  .object({ code: z.string(), message: z.string(), path: z.array(z.string()).optional() })
  .openapi('RenderFailure');

export const InstallRender = z
  .object({
    id: z.string().min(1).max(54),
    workspace_id: z.string().min(1).max(53),
    install_id: z.string().min(1).max(55),
    operation_id: z.string().nullable(),
    repository_change_request_id: z.string().nullable(),
    render_hash: z.string().nullable(),
    commit_sha: z.string().nullable(),
    package_version_id: z.string().nullable(),
    restored_from_render_id: z.string().nullable(),
    state: z.enum(RENDER_STATES),
    message: z.string().nullable(),
    created_at: UnixSeconds,
    updated_at: UnixSeconds,
    skip_unchanged: z.boolean().openapi({ description: 'Atoll: as requested.' }),
    extra_annotations: z.record(z.string(), z.string()).openapi({ description: 'Atoll: as requested.' }),
    failure: orNull(RenderFailure).openapi({
      description: 'Atoll: why the render failed (state failed).',
    }),
  })
  .openapi('InstallRender');
export type InstallRender = z.infer<typeof InstallRender>;

/** Atoll extension: what a render's commit changed (GET /v1/installs/{id}/renders/{render_id}/diff). */
export const InstallRenderDiff = z
  .object({
    render_id: z.string().openapi({ description: 'Atoll: the render.' }),
    install_id: z.string().openapi({ description: 'Atoll: its install.' }),
    commit_sha: z.string().nullable().openapi({
      description:
        'Atoll: the commit the render made; null when it made none (running, skipped or failed), and then `files` is empty.',
    }),
    from_sha: z.string().nullable().openapi({
      description:
        "Atoll: the commit's first parent, the head of main it was committed on (a merge's first parent is main, so the diff is what the merge changed); null for the repository's first commit (compared with the empty tree) or when there is no commit.",
    }),
    to_sha: z.string().nullable().openapi({ description: 'Atoll: `commit_sha`.' }),
    ...DiffFields,
  })
  .openapi('InstallRenderDiff');
export type InstallRenderDiff = z.infer<typeof InstallRenderDiff>;

export const InstallRenderList = listOf(InstallRender, 'InstallRenderList');

export const CreateInstallRenderBody = z
  .strictObject({
    message: z.string().max(255).optional().openapi({ description: 'The commit message of the render.' }),
    skip_unchanged: z.boolean().nullable().default(true),
    extra_annotations: z.record(z.string(), z.string()).optional().openapi({
      description: 'Annotations stamped on every rendered object (keys under atoll.dev/ are reserved).',
    }),
  })
  .openapi('CreateInstallRenderBody');
export type CreateInstallRenderBody = z.infer<typeof CreateInstallRenderBody>;

export const UpdateInstallVersionBody = z
  .strictObject({ package_version_id: z.string().min(1).max(55) })
  .openapi('UpdateInstallVersionBody');

export const RestoreInstallBody = z
  .strictObject({ render_id: z.string().min(1).max(54) })
  .openapi('RestoreInstallBody');

const PackageVersionSummary = z
  .object({ id: z.string(), semver: z.string() })
  .openapi('PackageVersionSummary');

export const InstallLifecycleState = z
  .object({
    id: z.string(),
    current_version: orNull(PackageVersionSummary),
    desired_version: orNull(PackageVersionSummary),
    automatic_updates_enabled: z.boolean(),
    updated_at: UnixSeconds,
    etag: z.string(),
  })
  .openapi('InstallLifecycleState');

export const InstallLifecycleMutation = z
  .object({ install: InstallLifecycleState, render: orNull(InstallRender) })
  .openapi('InstallLifecycleMutation');
export type InstallLifecycleMutation = z.infer<typeof InstallLifecycleMutation>;

export const SetInstallAutomaticUpdatesBody = z
  .strictObject({
    automatic_updates_enabled: z.boolean().openapi({
      description:
        "true: the install follows its package's latest version (its pin becomes `latest`, and it is updated to that version now if it is behind); false: it is pinned to the version it is on.",
    }),
  })
  .openapi('SetInstallAutomaticUpdatesBody');

/** A cluster object's status as a GitOps controller reports it (the spec's shape; Atoll never has one). */
const ResourceStatus = z
  .looseObject({
    group: z.string().optional(),
    kind: z.string(),
    name: z.string(),
    message: z.string().optional(),
    namespace: z.string().optional(),
    version: z.string().optional(),
    status: z.string().optional(),
    health: z.object({ status: z.string(), message: z.string().optional() }).optional(),
  })
  .openapi('ResourceStatus');

const UNKNOWN_IN_CLUSTER = 'Always null in Atoll: it does not watch the cluster (docs/installs.md "Status").';

export const InstallStatus = z
  .object({
    install_id: z.string().min(1).max(55),
    health: z.string().nullable().openapi({ description: UNKNOWN_IN_CLUSTER }),
    sync: z.string().nullable().openapi({ description: UNKNOWN_IN_CLUSTER }),
    revision: z.string().nullable().openapi({
      description:
        "The commit Atoll last deployed to the install's repository (the head of `main` a GitOps controller should sync); null before the first deploy and once the repository is purged.",
    }),
    resources: z.array(ResourceStatus).nullable().openapi({ description: UNKNOWN_IN_CLUSTER }),
    operation_phase: z.string().nullable().openapi({ description: UNKNOWN_IN_CLUSTER }),
    updated_at: UnixSeconds.nullable(),
    state: z.enum(INSTALL_STATES),
    reconciling: z.boolean().openapi({
      description:
        'True while a render of the install is queued, running or waiting for review, or its deletion is purging.',
    }),
    package_version_id: z
      .string()
      .openapi({ description: 'Atoll: the version the install is on (last deployed).' }),
    desired_version_id: z.string().nullable().openapi({
      description: 'Atoll: the version an update or restore asks for, until its render deploys.',
    }),
    automatic_updates_enabled: z
      .boolean()
      .openapi({ description: "Atoll: whether the install follows its package's latest version." }),
    repository_id: z.string().openapi({ description: "Atoll: the install's git repository." }),
    deployed_render_hash: z.string().nullable().openapi({
      description: 'Atoll: the render hash of the manifests at `revision`.',
    }),
    last_render: orNull(InstallRender).openapi({
      description: 'Atoll: the newest render of the install, whatever its state (null before any).',
    }),
  })
  .openapi('InstallStatus');
export type InstallStatus = z.infer<typeof InstallStatus>;
