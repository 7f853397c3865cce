/**
 * The quota metrics Atoll has: each a limit it enforces (from the configuration) and how much of it is
 * in use now (counted where the limit is enforced). Only limits with a usage are quotas; per-run caps
 * (memory, time, sizes) and the absence of a limit are entitlements (../entitlements/catalogue.ts).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { sandboxesInUse } from '../../deployments/capacity.ts';
import type { QuotaInfo } from './schemas.ts';

/** What the quota metrics read: the configured limits and the live counters of this process. */
export type QuotaSources = {
  db: Kysely<DB>;
  /** ATOLL_SANDBOX_CAPACITY. */
  sandboxCapacity: number;
  /** ATOLL_EXECUTOR_WORKSPACE_CONCURRENCY (or its default) and this process's running executions. */
  executions: { limit: number; running(workspaceId: string): number };
  /** ATOLL_SNIPPET_WORKSPACE_NESTED and this process's nested executions in flight. */
  nested: { limit: number; inFlight(workspaceId: string): number };
};

export type QuotaMetric = {
  metric: string;
  type: QuotaInfo['type'];
  unit: QuotaInfo['unit'];
  display_name: string;
  limit(sources: QuotaSources): number;
  usage(sources: QuotaSources, workspaceId: string): Promise<number> | number;
};

export const QUOTA_METRICS: readonly QuotaMetric[] = [
  {
    metric: 'agent_deployments/sandboxes',
    type: 'concurrency',
    unit: 'count',
    display_name:
      'Sandboxes (agent runs queued or running, live services, retained sandboxes), all workspaces',
    limit: (s) => s.sandboxCapacity,
    usage: (s) => sandboxesInUse(s.db),
  },
  {
    metric: 'snippets/executions',
    type: 'concurrency',
    unit: 'count',
    display_name: 'Snippet and render executions running at once in this workspace (more wait their turn)',
    limit: (s) => s.executions.limit,
    usage: (s, workspaceId) => s.executions.running(workspaceId),
  },
  {
    metric: 'snippets/nested_executions',
    type: 'concurrency',
    unit: 'count',
    display_name: 'Snippets started by snippets (platform.request) in flight in this workspace',
    limit: (s) => s.nested.limit,
    usage: (s, workspaceId) => s.nested.inFlight(workspaceId),
  },
];
