/** Quota schemas (Akua `QuotaInfo`, `QuotaInfoList`) and the quotas.list query. */
import { z } from '@hono/zod-openapi';
import { listOf, UnixSeconds } from '../../http/schemas.ts';

export const QUOTA_TYPES = ['allocation', 'rate', 'concurrency'] as const;
export const QUOTA_UNITS = [
  'count',
  'cores',
  'bytes',
  'seconds',
  'count/day',
  'count/minute',
  'cents/day',
] as const;

export const QuotaInfo = z
  .object({
    metric: z
      .string()
      .openapi({ description: 'Metric: service/resource', example: 'agent_deployments/sandboxes' }),
    type: z.enum(QUOTA_TYPES).openapi({
      description: 'Allocation = max owned, rate = max per time window, concurrency = max in-flight.',
    }),
    display_name: z.string(),
    unit: z.enum(QUOTA_UNITS).openapi({ description: 'Unit the limit/usage numbers are measured in.' }),
    limit: z.number(),
    usage: z.number(),
    remaining: z.number(),
    resets_at: UnixSeconds.optional().openapi({
      description: 'For rate quotas: Unix timestamp (seconds) reset time',
    }),
  })
  .openapi('QuotaInfo');
export type QuotaInfo = z.infer<typeof QuotaInfo>;

export const QuotaInfoList = listOf(QuotaInfo, 'QuotaInfoList');
export type QuotaInfoList = z.infer<typeof QuotaInfoList>;

export const QuotasQuery = z.strictObject({
  cluster_id: z.string().optional().openapi({
    minLength: 1,
    maxLength: 54,
    description: 'Atoll has no clusters: any value is refused (403) with a message saying so.',
  }),
});

export const MetricParam = z.object({
  metric: z.string().min(1).openapi({
    description: 'Quota metric (URL-encoded service/resource, e.g. `snippets%2Fexecutions`).',
    example: 'agent_deployments/sandboxes',
  }),
});
