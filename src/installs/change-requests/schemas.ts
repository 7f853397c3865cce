/**
 * Repository change request schemas (Akua `RepositoryChangeRequest`, `CreateRepositoryChangeRequestBody`,
 * `CreateRepositoryChangeRequestTokenBody` and the responses of :createToken, :accept, :reject and
 * :withdraw).
 */
import { z } from '@hono/zod-openapi';
import { listOf, orNull, PageQuery, UnixSeconds } from '../../http/schemas.ts';
import { DiffFields } from '../diff.ts';

export const CHANGE_REQUEST_STATES = [
  'AWAITING_CHANGES',
  'VALIDATING',
  'READY',
  'ACCEPTING',
  'ACCEPTED',
  'REJECTED',
  'WITHDRAWN',
  'EXPIRED',
  'FAILED',
] as const;

/**
 * The longest a change request may stay open: the spec sets no limit, Atoll allows a year so that no
 * fork lingers forever (docs/installs.md).
 */
export const MAX_TTL_SECONDS = 365 * 24 * 3600;

const RemediationEvidence = z
  .strictObject({
    summary: z.string().min(1).max(2000),
    likely_fix: z.string().min(1).max(2000),
    resource_refs: z
      .array(z.strictObject({ resource: z.string().min(1).max(120), id: z.string().min(1).max(200) }))
      .min(1)
      .max(20),
  })
  .openapi('RemediationEvidence');

const ParentRepositoryId = z.string().min(1).max(55).openapi({
  description: 'Repository that will receive the accepted change request (an install repository).',
});
const ExpiresAtSeconds = z
  .number()
  .int()
  .positive()
  .max(MAX_TTL_SECONDS)
  .optional()
  .openapi({
    description: `Seconds until the repository change request expires (default 7 days, at most ${MAX_TTL_SECONDS}, 365 days).`,
  });

export const CreateRepositoryChangeRequestBody = z
  .discriminatedUnion('kind', [
    z.strictObject({
      parent_repository_id: ParentRepositoryId,
      expires_at_seconds: ExpiresAtSeconds,
      kind: z.literal('user'),
    }),
    z.strictObject({
      parent_repository_id: ParentRepositoryId,
      expires_at_seconds: ExpiresAtSeconds,
      kind: z.literal('wizard'),
    }),
    z.strictObject({
      parent_repository_id: ParentRepositoryId,
      expires_at_seconds: ExpiresAtSeconds,
      kind: z.literal('agent'),
      agent_id: z.string().min(1).max(54),
      remediation_evidence: RemediationEvidence,
    }),
  ])
  .openapi('CreateRepositoryChangeRequestBody');
export type CreateRepositoryChangeRequestBody = z.infer<typeof CreateRepositoryChangeRequestBody>;

export const RepositoryChangeRequest = z
  .object({
    id: z.string().min(1).max(54),
    html_url: z.string(),
    workspace_id: z.string(),
    parent_repository_id: z.string(),
    fork_repository_id: z.string(),
    state: z.enum(CHANGE_REQUEST_STATES),
    change_type: z.enum(['manifest_patch', 'inputs_change', 'package_change', 'unknown']),
    created_by_type: z.enum(['user', 'wizard', 'agent']),
    created_by_id: z.string(),
    remediation_evidence: orNull(RemediationEvidence),
    created_at: UnixSeconds,
    updated_at: UnixSeconds,
    expires_at: UnixSeconds,
    rejection_reason: z.string().nullable(),
    etag: z.string(),
    agent_id: z.string().nullable().openapi({ description: 'Atoll: the agent that opened it (kind agent).' }),
    base_sha: z
      .string()
      .openapi({ description: 'Atoll: the commit of the parent repository the fork started from.' }),
    render_id: z
      .string()
      .nullable()
      .openapi({ description: 'Atoll: the render waiting for this review (installs with require_review).' }),
    failure: z
      .object({ code: z.string(), message: z.string(), path: z.array(z.string()).optional() })
      .nullable()
      .openapi({ description: 'Atoll: why the last accept failed (state FAILED).' }),
    fork_remote_url: z
      .string()
      .openapi({ description: 'Atoll: where to push (with a token from :createToken).' }),
  })
  .openapi('RepositoryChangeRequest');
export type RepositoryChangeRequest = z.infer<typeof RepositoryChangeRequest>;

/** Atoll extension: what accepting a change request would change (GET …/{id}/diff). */
export const RepositoryChangeRequestDiff = z
  .object({
    repository_change_request_id: z.string().openapi({ description: 'Atoll: the change request.' }),
    from_sha: z.string().openapi({ description: 'Atoll: `base_sha`, where the fork started.' }),
    to_sha: z.string().openapi({
      description: "Atoll: the head of the fork's main now (`base_sha` when nothing was pushed yet).",
    }),
    ...DiffFields,
  })
  .openapi('RepositoryChangeRequestDiff');
export type RepositoryChangeRequestDiff = z.infer<typeof RepositoryChangeRequestDiff>;

export const RepositoryChangeRequestList = listOf(RepositoryChangeRequest, 'RepositoryChangeRequestList');

export const ListChangeRequestsQuery = PageQuery.extend({
  state: z.enum(CHANGE_REQUEST_STATES).optional(),
  parent_repository: z.string().min(1).max(55).optional(),
  fork_repository: z.string().min(1).max(55).optional(),
  agent: z.string().min(1).max(54).optional(),
});

export const CreateTokenBody = z
  .strictObject({
    scope: z.enum(['read', 'write']).default('write'),
    expires_in_seconds: z
      .number()
      .int()
      .positive()
      .max(3600)
      .optional()
      .openapi({ description: 'Seconds until the token expires (default and maximum one hour).' }),
  })
  .openapi('CreateRepositoryChangeRequestTokenBody');
export type CreateTokenBody = z.infer<typeof CreateTokenBody>;

export const CreateTokenResponse = z
  .object({
    repository_change_request_id: z.string(),
    fork_remote_url: z.string(),
    fork_write_token: z.string(),
    expires_at: UnixSeconds,
  })
  .openapi('CreateRepositoryChangeRequestTokenResponse');
export type CreateTokenResponse = z.infer<typeof CreateTokenResponse>;

export const AcceptResponse = z
  .object({ repository_change_request_id: z.string(), operation_id: z.string(), accepted_at: UnixSeconds })
  .openapi('AcceptRepositoryChangeRequestResponse');

export const RejectBody = z
  .strictObject({ rejection_reason: z.string().min(1).max(2000) })
  .openapi('RejectRepositoryChangeRequestBody');

export const RejectResponse = z
  .object({ repository_change_request_id: z.string(), rejected_at: UnixSeconds })
  .openapi('RejectRepositoryChangeRequestResponse');

export const WithdrawResponse = z
  .object({ repository_change_request_id: z.string(), withdrawn_at: UnixSeconds })
  .openapi('WithdrawRepositoryChangeRequestResponse');
