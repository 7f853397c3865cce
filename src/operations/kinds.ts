/**
 * The kinds of operation Atoll runs, by `metadata.type`: what each records when it starts (`metadata`)
 * and what it answers when it succeeds (`response`). Each is the published alternative of Akua's
 * `OperationMetadata` / `OperationResponse` for that type, field for field, so the Operation resource
 * is typed as the spec types it; kinds Atoll does not run (machines, clusters, domains) are left out.
 *
 * | type                             | owner                     | started by                            |
 * | -------------------------------- | ------------------------- | ------------------------------------- |
 * | install.create                   | install                   | POST /v1/installs (its first render)  |
 * | install.render                   | install                   | renders, :updateVersion, :restore     |
 * | install.delete                   | install                   | DELETE /v1/installs/{id}              |
 * | repository_change_request.accept | repository_change_request | :accept (its merge render)            |
 * | package.create                   | package                   | POST /v1/packages (settled at once)   |
 * | workspace.delete                 | workspace                 | DELETE /v1/workspaces/{id} (ditto)    |
 */
import { z } from '@hono/zod-openapi';
import { UnixSeconds } from '../http/schemas.ts';

const WorkspaceId = z.string().min(1).max(53);
const InstallId = z.string().min(1).max(55);
const PackageId = z.string().min(1).max(54);
const PackageVersionId = z.string().min(1).max(55);
const RepositoryId = z.string().min(1).max(55);

export const InstallCreateMetadata = z.object({
  type: z.literal('install.create'),
  idempotency_key: z.string().openapi({ description: 'The idempotency-key of the request, or empty.' }),
  workspace_id: WorkspaceId,
  product_id: z.string().min(1).max(55).optional(),
});

export const InstallRenderMetadata = z.object({
  type: z.literal('install.render'),
  install_id: InstallId,
  trigger_commit_sha: z.string().optional(),
});

export const InstallDeleteMetadata = z.object({ type: z.literal('install.delete'), install_id: InstallId });

export const WorkspaceDeleteMetadata = z.object({
  type: z.literal('workspace.delete'),
  workspace_id: WorkspaceId,
});

export const PackageCreateMetadata = z
  .object({
    type: z.literal('package.create'),
    idempotency_key: z.string().openapi({ description: 'The idempotency-key of the request, or empty.' }),
    workspace_id: WorkspaceId,
    name: z.string(),
  })
  .openapi('PackageOperationMetadata');

export const ChangeRequestAcceptMetadata = z.object({
  type: z.literal('repository_change_request.accept'),
  repository_change_request_id: z.string().min(1).max(54),
  user_id: z.string().openapi({ description: 'Who accepted it: the token id or JWT subject.' }),
});

export const OperationMetadata = z
  .discriminatedUnion('type', [
    InstallCreateMetadata,
    InstallRenderMetadata,
    InstallDeleteMetadata,
    WorkspaceDeleteMetadata,
    PackageCreateMetadata,
    ChangeRequestAcceptMetadata,
  ])
  .openapi('OperationMetadata', { description: 'What the operation acts on. Discriminated by `type`.' });
export type OperationMetadata = z.infer<typeof OperationMetadata>;

/** The spec's closed alternative for an install whose first render commits to git (no Argo app). */
export const InstallCreateResponse = z.strictObject({
  type: z.literal('install.create'),
  install_id: InstallId,
  sandbox_skipped: z.literal(true),
});

export const InstallRenderResponse = z.object({
  type: z.literal('install.render'),
  install_render_id: z.string().min(1).max(54),
  repository_id: RepositoryId,
  commit_sha: z.string().optional().openapi({ description: 'Left out when the render was skipped.' }),
  render_hash: z.string(),
  skipped: z.boolean(),
});

export const InstallDeleteResponse = z.object({
  type: z.literal('install.delete'),
  argo_app_deleted: z.boolean(),
  repo_purged: z.boolean(),
});

export const WorkspaceDeleteResponse = z.object({
  type: z.literal('workspace.delete'),
  workspace_id: WorkspaceId,
});

export const PackageCreateResponse = z
  .object({
    type: z.literal('package.create'),
    package_id: PackageId,
    package_version_id: PackageVersionId,
    repository_id: RepositoryId,
  })
  .openapi('PackageOperationResponse');

export const ChangeRequestAcceptResponse = z.object({
  type: z.literal('repository_change_request.accept'),
  merged_at: UnixSeconds,
  triggered_install_render: z.boolean(),
});

const SUCCESS_RESPONSES = [
  InstallCreateResponse,
  InstallRenderResponse,
  InstallDeleteResponse,
  WorkspaceDeleteResponse,
  PackageCreateResponse,
  ChangeRequestAcceptResponse,
] as const;

/** What a SUCCEEDED operation answers; null before then and when it failed or was cancelled. */
export const OperationResponse = z.union([...SUCCESS_RESPONSES, z.null()]).openapi('OperationResponse', {
  description: 'Populated only when `done && state === "SUCCEEDED"`. Discriminated by `type`.',
});
export type OperationResponse = z.infer<typeof OperationResponse>;
/** The response of a succeeded operation. */
export type SuccessResponse = NonNullable<OperationResponse>;
