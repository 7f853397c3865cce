/**
 * Quotas: the limits Atoll enforces and how much of each is in use now, for the caller's workspace.
 * Concurrency quotas are Atoll's only kind: it keeps no rate limits, and no allocation it caps.
 */
import { ApiError } from '../../http/errors.ts';
import { QUOTA_METRICS, type QuotaMetric, type QuotaSources } from './metrics.ts';
import type { QuotaInfo, QuotaInfoList } from './schemas.ts';

export type QuotaService = ReturnType<typeof createQuotaService>;

/** Longest piece of a caller's metric echoed back in an error message. */
const ECHO_MAX = 200;

export function createQuotaService(sources: QuotaSources) {
  async function info(metric: QuotaMetric, workspaceId: string): Promise<QuotaInfo> {
    const limit = metric.limit(sources);
    const usage = await metric.usage(sources, workspaceId);
    return {
      metric: metric.metric,
      type: metric.type,
      display_name: metric.display_name,
      unit: metric.unit,
      limit,
      usage,
      remaining: Math.max(0, limit - usage),
    };
  }

  return {
    /** Every quota; `cluster_id` is refused, because Atoll has no clusters to scope quotas to. */
    async list(workspaceId: string, query: { cluster_id?: string | undefined }): Promise<QuotaInfoList> {
      if (query.cluster_id !== undefined) {
        // 403 is what the published operation lists for a cluster the caller cannot use.
        throw new ApiError(
          'PERMISSION_DENIED',
          {
            message: `Atoll has no clusters, so there are no per-cluster quotas for cluster_id "${query.cluster_id.slice(0, ECHO_MAX)}"; its concurrency quotas are listed without cluster_id`,
            path: ['query', 'cluster_id'],
          },
          { code: 'no_clusters' },
        );
      }
      const data = await Promise.all(QUOTA_METRICS.map((m) => info(m, workspaceId)));
      return { data, has_more: false, next_cursor: null };
    },

    async get(workspaceId: string, metric: string): Promise<QuotaInfo> {
      const found = QUOTA_METRICS.find((m) => m.metric === metric);
      if (!found) {
        throw new ApiError('NOT_FOUND', {
          message: `quota metric "${metric.slice(0, ECHO_MAX)}" not found; Atoll has ${QUOTA_METRICS.map((m) => `"${m.metric}"`).join(', ')} (URL-encode the slash: %2F)`,
          path: ['path', 'metric'],
          metadata: { metric: metric.slice(0, ECHO_MAX) },
        });
      }
      return info(found, workspaceId);
    },
  };
}
