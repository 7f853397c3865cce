/**
 * Request and response schemas of the agent-deployments family (Nullspace-compatible): deployments,
 * versions, runs, outputs, logs and service instances, the `{items, next_cursor}` list envelope, the
 * family's error envelope and its page query (limit 1–200, default 50). ISO-8601 timestamps.
 */
import { z } from '@hono/zod-openapi';
import { BundleManifest } from './bundles/manifest.ts';
import { AgentConfig, DeploymentMode } from './config-schema.ts';
import {
  CACHE_POLICIES,
  DEPLOYMENT_STATUSES,
  RUN_STATUSES,
  SERVICE_STATUSES,
  VERSION_STATUSES,
} from './tables.ts';

const Timestamp = z.string().openapi({ format: 'date-time', example: '2026-11-25T05:31:56Z' });
const NullableTimestamp = Timestamp.nullable();

export const NullspaceError = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'agent_run_not_found' }),
      message: z.string(),
      hint: z.string().nullable(),
      request_id: z.string(),
      retryable: z.boolean(),
      details: z
        .array(z.object({ message: z.string(), path: z.array(z.string()).nullable() }).loose())
        .optional(),
    }),
  })
  .openapi('NullspaceError');

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad request (invalid_request)',
  401: 'Unauthorized',
  403: 'Permission denied',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Invalid fields',
  429: 'Capacity or rate limit exceeded',
  503: 'Unavailable',
};

/** OpenAPI error responses of this family. */
export function nullspaceErrors<const S extends number>(...statuses: S[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: DESCRIPTIONS[s] ?? 'Error',
        content: { 'application/json': { schema: NullspaceError } },
      },
    ]),
  ) as Record<S, { description: string; content: { 'application/json': { schema: typeof NullspaceError } } }>;
}

const LIMIT_MESSAGE = 'limit must be an integer from 1 to 200';
export const PageQuery = z.strictObject({
  limit: z.coerce
    .number({ error: LIMIT_MESSAGE })
    .int(LIMIT_MESSAGE)
    .min(1, LIMIT_MESSAGE)
    .max(200, LIMIT_MESSAGE)
    .default(50)
    .openapi({ type: 'integer', example: 50, description: 'Items per page (1–200, default 50)' }),
  cursor: z.string().min(1).max(512).optional().openapi({ description: 'next_cursor of the previous page' }),
});

export function itemsOf<T extends z.ZodType>(item: T, name: string) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() }).openapi(name);
}

export const IdempotencyKeyRequired = z.string().min(1).max(64).openapi({
  description:
    'Required on every create. The same key with the same request replays the first response; with a different request it is 409.',
  example: 'deploy-2026-11-25-1',
});
export const CreateHeaders = z.object({
  'idempotency-key': IdempotencyKeyRequired,
  'akua-context': z.string().min(1).max(53).optional(),
});
export const ReadHeaders = z.object({ 'akua-context': z.string().min(1).max(53).optional() });

const Metadata = z.record(z.string(), z.unknown());

export const AgentDeployment = z
  .object({
    id: z.string().openapi({ example: 'adpl_1234abcd' }),
    name: z.string(),
    mode: DeploymentMode,
    status: z.enum(DEPLOYMENT_STATUSES),
    metadata: Metadata,
    description: z.string().nullable(),
    active_version_id: z.string().nullable(),
    created_at: Timestamp,
    updated_at: Timestamp,
    deleted_at: NullableTimestamp,
  })
  .openapi('AgentDeployment');
export type AgentDeployment = z.infer<typeof AgentDeployment>;

export const CreateDeploymentBody = z
  .strictObject({
    name: z.string().trim().min(1).max(128),
    mode: DeploymentMode,
    description: z.string().max(4096).nullable().optional(),
    metadata: Metadata.optional(),
  })
  .openapi('CreateAgentDeploymentRequest');
export type CreateDeploymentBody = z.infer<typeof CreateDeploymentBody>;

export const DeploymentListQuery = PageQuery.extend({
  name: z.string().min(1).max(128).optional().openapi({ description: 'Only the deployment with this name' }),
  status: z
    .enum(DEPLOYMENT_STATUSES)
    .optional()
    .openapi({ description: 'Filter by status (default: not deleted)' }),
});

export const AgentDeploymentList = itemsOf(AgentDeployment, 'AgentDeploymentList');

export const AgentVersion = z
  .object({
    id: z.string().openapi({ example: 'adpv_1234abcd' }),
    deployment_id: z.string(),
    version_number: z.number().int().min(1),
    status: z.enum(VERSION_STATUSES),
    cache_policy: z.enum(CACHE_POLICIES),
    bundle_digest: z.string(),
    bundle_manifest: BundleManifest,
    config: AgentConfig,
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi('AgentDeploymentVersion');
export type AgentVersion = z.infer<typeof AgentVersion>;

export const CreateVersionBody = z
  .strictObject({
    config: AgentConfig,
    bundle_manifest: BundleManifest,
    cache_policy: z.enum(CACHE_POLICIES).default('auto'),
  })
  .openapi('CreateAgentDeploymentVersionRequest');
export type CreateVersionBody = z.infer<typeof CreateVersionBody>;

export const AgentVersionList = itemsOf(AgentVersion, 'AgentDeploymentVersionList');

/** Write-only env values: names are checked; values never leave the process memory (docs). */
export const Envs = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'env names must match [A-Za-z_][A-Za-z0-9_]*'),
    z
      .string()
      .max(65_536)
      .refine((v) => !v.includes('\0'), { message: 'env values cannot contain NUL' }),
  )
  .refine((envs) => Object.keys(envs).length <= 256, { message: 'at most 256 envs' })
  .openapi({ description: 'Write-only environment values (strings); never stored or returned.' });

export const CreateRunBody = z
  .strictObject({
    version_id: z.string().min(1).max(64).nullable().optional(),
    input: z.record(z.string(), z.unknown()).default({}),
    envs: Envs.default({}),
    retain_on_failure: z.boolean().nullable().optional(),
    retention_seconds: z
      .number()
      .int()
      .min(1)
      .max(30 * 86_400)
      .nullable()
      .optional(),
  })
  .openapi('CreateAgentRunRequest');
export type CreateRunBody = z.infer<typeof CreateRunBody>;

export const AgentRun = z
  .object({
    id: z.string().openapi({ example: 'adrun_1234abcd' }),
    deployment_id: z.string(),
    version_id: z.string(),
    mode: DeploymentMode,
    status: z.enum(RUN_STATUSES),
    input: z.record(z.string(), z.unknown()),
    created_at: Timestamp,
    updated_at: Timestamp,
    retain_on_failure: z.boolean().nullable(),
    retention_seconds: z.number().int().nullable(),
    sandbox_id: z.string().nullable(),
    process_id: z.number().int().nullable(),
    exit_code: z.number().int().nullable(),
    failure_reason: z.string().nullable(),
    output_manifest: z.record(z.string(), z.unknown()),
    started_at: NullableTimestamp,
    completed_at: NullableTimestamp,
    idempotency_key: z.string().nullable(),
    retained_until: NullableTimestamp.openapi({
      description: 'Until when a failed run’s sandbox is kept (retention); null when it is not kept.',
    }),
  })
  .openapi('AgentRun');
export type AgentRun = z.infer<typeof AgentRun>;

export const RunListQuery = PageQuery.extend({
  status: z.enum(RUN_STATUSES).optional(),
  version_id: z.string().min(1).max(64).optional(),
});
export const AgentRunList = itemsOf(AgentRun, 'AgentRunList');

export const CancelRunBody = z
  .strictObject({ reason: z.string().max(1024).optional() })
  .openapi('CancelAgentRunRequest');

export const RunOutput = z
  .object({
    path: z.string(),
    type: z.literal('file'),
    size: z.number().int(),
    digest: z.string(),
    download_url: z.string(),
  })
  .openapi('AgentRunOutput');
export const RunOutputs = z
  .object({
    run_id: z.string(),
    output_manifest: z.record(z.string(), z.unknown()),
    outputs: z.array(RunOutput),
  })
  .openapi('AgentRunOutputs');

export const LogEntry = z
  .object({
    seq: z.number().int(),
    timestamp: Timestamp,
    stream: z.enum(['stdout', 'stderr', 'system']),
    text: z.string(),
  })
  .openapi('AgentLogEntry');
export const LogPage = z
  .object({
    items: z.array(LogEntry),
    next_cursor: z.string().nullable().openapi({
      description: 'Where to continue; null once the owner has ended and every line was served.',
    }),
    truncated: z.boolean().openapi({ description: 'Output beyond the log limit was dropped.' }),
    complete: z.boolean().openapi({ description: 'The run or service has ended; no more lines will come.' }),
  })
  .openapi('AgentLogPage');
export const LogQuery = z.strictObject({
  cursor: z.string().min(1).max(64).optional(),
  limit: PageQuery.shape.limit.optional().default(200),
  follow: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'With Accept: text/event-stream, keep streaming until the owner ends.' }),
});

export const AgentService = z
  .object({
    id: z.string().openapi({ example: 'adsvc_1234abcd' }),
    deployment_id: z.string(),
    version_id: z.string(),
    status: z.enum(SERVICE_STATUSES),
    port: z.number().int(),
    generation: z
      .number()
      .int()
      .openapi({ description: 'Restarts so far: each restart starts a new sandbox and process.' }),
    sandbox_id: z.string().nullable(),
    process_id: z.number().int().nullable(),
    public_url: z.string().nullable(),
    proxy_url: z
      .string()
      .openapi({ description: 'Authenticated path through this server to the service port.' }),
    readiness_status: z.record(z.string(), z.unknown()),
    failure_reason: z.string().nullable(),
    started_at: NullableTimestamp,
    stopped_at: NullableTimestamp,
    created_at: Timestamp,
    updated_at: Timestamp,
    idempotency_key: z.string().nullable(),
  })
  .openapi('AgentServiceInstance');
export type AgentService = z.infer<typeof AgentService>;

export const CreateServiceBody = z
  .strictObject({ version_id: z.string().min(1).max(64).nullable().optional(), envs: Envs.default({}) })
  .openapi('CreateAgentServiceRequest');
export const RestartServiceBody = z
  .strictObject({ envs: Envs.default({}), version_id: z.string().min(1).max(64).nullable().optional() })
  .openapi('RestartAgentServiceRequest');
export const ServiceListQuery = PageQuery.extend({
  status: z.enum(SERVICE_STATUSES).optional(),
  version_id: z.string().min(1).max(64).optional(),
});
export const AgentServiceList = itemsOf(AgentService, 'AgentServiceList');
