/**
 * Repository schemas (Akua `Repository`, one shape per purpose, and `RepositoryList`). Fields marked
 * "Atoll:" extend the spec's shapes: docs/installs.md.
 */
import { z } from '@hono/zod-openapi';
import { listOf, PageQuery, UnixSeconds } from '../../http/schemas.ts';

const common = {
  id: z.string().min(1).max(55),
  name: z.string(),
  workspace_id: z.string().min(1).max(53),
  created_at: UnixSeconds,
  updated_at: UnixSeconds,
  etag: z.string(),
  reconciling: z
    .boolean()
    .openapi({ description: 'True while a render writing to the repository is queued or running.' }),
  clone_url: z
    .string()
    .openapi({ description: 'Atoll: `git clone` URL (smart HTTP; credentials in docs/installs.md).' }),
  default_branch: z
    .string()
    .optional()
    .openapi({ description: 'Atoll (view=full): the branch renders commit to.' }),
  head_sha: z.string().nullable().optional().openapi({
    description: 'Atoll (view=full): the commit the default branch points at; null while it has none.',
  }),
};

export const DeployRepository = z.object({
  ...common,
  purpose: z.literal('deploy'),
  cluster_id: z.string().min(1).max(54),
  last_deploy_sha: z.string().nullable(),
  last_render_hash: z.string().nullable(),
  install_id: z.string().openapi({ description: 'Atoll: the install whose renders the repository holds.' }),
});

export const PackageRepository = z.object({
  ...common,
  purpose: z.literal('package'),
  package_id: z.string().min(1).max(54),
});

export const ChangeRequestRepository = z.object({
  ...common,
  purpose: z.literal('repository_change_request'),
  repository_change_request_id: z.string().min(1).max(54),
});

export const Repository = z
  .discriminatedUnion('purpose', [DeployRepository, PackageRepository, ChangeRequestRepository])
  .openapi('Repository');
export type Repository = z.infer<typeof Repository>;

export const RepositoryList = listOf(Repository, 'RepositoryList');

export const RepositoryView = z.enum(['basic', 'full']).default('basic').openapi({
  description: 'Controls inclusion of implementation detail fields (full adds default_branch and head_sha).',
});

export const ListRepositoriesQuery = PageQuery.extend({
  purpose: z
    .enum(['deploy', 'package', 'repository_change_request'])
    .optional()
    .openapi({ description: 'Filter by repository purpose (deploy / package / repository_change_request)' }),
  view: RepositoryView,
});

export const GetRepositoryQuery = z.strictObject({ view: RepositoryView });
