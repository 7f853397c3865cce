/**
 * Platform metrics: the figures Atoll computes over its own data for `platform_metric` widgets, each
 * read where its family keeps it (MetricSources, wired in module.ts) when a widget is resolved. The
 * windowed ones count what happened in a time window: the `time` filter's value `{from, to}` (unix
 * seconds) when the widget binds it, else the last 24 hours. docs/dashboards.md lists them.
 */
import { invalid } from '../http/errors.ts';

export type MetricWindow = { from: Date; to: Date };

/** Where the figures come from (other families' stores, through their modules). */
export type MetricSources = {
  snippetRuns(workspaceId: string, window: MetricWindow): Promise<Record<string, number>>;
  renders(workspaceId: string, window: MetricWindow): Promise<Record<string, number>>;
  openSessions(workspaceId: string): Promise<Record<string, number>>;
  sandboxes(workspaceId: string): Promise<number>;
  /** ATOLL_SANDBOX_CAPACITY: the server's sandboxes, shared by every workspace. */
  sandboxCapacity: number;
};

export type MetricValue =
  | { kind: 'by_state'; counts: Record<string, number>; total: number }
  | { kind: 'usage'; used: number; limit: number };

type Metric = {
  version: 1;
  title: string;
  description: string;
  /** Whether the figure counts a time window (and so takes a `time` filter binding). */
  windowed: boolean;
  compute(sources: MetricSources, workspaceId: string, window: MetricWindow): Promise<MetricValue>;
};

/** Every state listed, those with nothing as 0. */
function byState(states: readonly string[], counts: Record<string, number>): MetricValue {
  const all = Object.fromEntries(states.map((s) => [s, counts[s] ?? 0]));
  return { kind: 'by_state', counts: all, total: Object.values(all).reduce((a, b) => a + b, 0) };
}

export const PLATFORM_METRICS: Record<string, Metric> = {
  snippet_runs_by_state: {
    version: 1,
    title: 'Snippet runs',
    description: "The workspace's snippet runs in the window, by state.",
    windowed: true,
    compute: async (s, ws, w) => byState(['succeeded', 'failed', 'timed_out'], await s.snippetRuns(ws, w)),
  },
  install_renders_by_state: {
    version: 1,
    title: 'Renders',
    description: "The workspace's install renders started in the window, by state.",
    windowed: true,
    compute: async (s, ws, w) =>
      byState(['running', 'deployed', 'skipped', 'failed'], await s.renders(ws, w)),
  },
  agent_sessions_active: {
    version: 1,
    title: 'Agent sessions in progress',
    description: "The workspace's agent sessions that have not ended, by state.",
    windowed: false,
    compute: async (s, ws) =>
      byState(['ACTIVE', 'WAITING_FOR_INPUT', 'WAITING_FOR_PERMISSION'], await s.openSessions(ws)),
  },
  sandboxes_in_use: {
    version: 1,
    title: 'Sandboxes in use',
    description:
      "Sandboxes the workspace's agent runs and services take now, beside the server's capacity (ATOLL_SANDBOX_CAPACITY, shared by every workspace).",
    windowed: false,
    compute: async (s, ws) => ({ kind: 'usage', used: await s.sandboxes(ws), limit: s.sandboxCapacity }),
  },
};

/** The recommended widgets (`:resetToRecommended`), in order. */
export const RECOMMENDED: Array<{ metric_key: string; col_span: 1 | 2 | 3 | 4 }> = [
  { metric_key: 'snippet_runs_by_state', col_span: 2 },
  { metric_key: 'install_renders_by_state', col_span: 2 },
  { metric_key: 'agent_sessions_active', col_span: 2 },
  { metric_key: 'sandboxes_in_use', col_span: 2 },
];

/** The metric a widget names, or a 422 naming the field. */
export function metricOf(key: string, version: number, field: string[]): Metric {
  const metric = PLATFORM_METRICS[key];
  if (!metric) {
    throw invalid(
      [...field, 'metric_key'],
      `Atoll computes no metric ${key}; it computes ${Object.keys(PLATFORM_METRICS).join(', ')}`,
    );
  }
  if (version !== metric.version)
    throw invalid(
      [...field, 'metric_version'],
      `metric ${key} has version ${metric.version}, not ${version}`,
    );
  return metric;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The window of a time filter value `{from, to}` (unix seconds), or the last 24 hours; 422 for another shape. */
export function windowOf(value: unknown, field: string[], now = Date.now()): MetricWindow {
  if (value === undefined || value === null) return { from: new Date(now - DAY_MS), to: new Date(now) };
  const v = value as { from?: unknown; to?: unknown };
  if (
    typeof value !== 'object' ||
    !Number.isSafeInteger(v.from) ||
    !Number.isSafeInteger(v.to) ||
    (v.from as number) >= (v.to as number)
  ) {
    throw invalid(
      field,
      'a time filter value is {"from": <unix seconds>, "to": <unix seconds>} with from before to',
    );
  }
  return { from: new Date((v.from as number) * 1000), to: new Date((v.to as number) * 1000) };
}
