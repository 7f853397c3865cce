/**
 * The dashboards area's vocabulary: the API's schemas under short names, the platform metrics Atoll
 * computes (docs/dashboards.md lists them; no endpoint lists them), and the grid geometry of a widget.
 */
import type { Schema } from '@atoll/client';

export type Dashboard = Schema<'Dashboard'>;
export type Widget = Schema<'Widget'>;
export type SnippetWidget = Extract<Widget, { widget_type: 'snippet' }>;
export type MetricWidget = Extract<Widget, { widget_type: 'platform_metric' }>;
export type FilterDefinition = Dashboard['filter_definitions'][number];
export type Revision = Schema<'DashboardRevision'>;
export type SnippetResolution = Schema<'DashboardWidgetResultResolution'>;
export type MetricResolution = Schema<'PlatformMetricResolution'>;
export type SnippetRun = NonNullable<SnippetResolution['result']>;
export type ContractOutput = Schema<'SnippetResultContractOutput'>;
export type Visualization = NonNullable<SnippetWidget['visualization']>;
export type Height = Widget['height'];
export type ColSpan = Widget['col_span'];

/** The figures `platform_metric` widgets can show (version 1 of each), as src/dashboards/metrics.ts defines them. */
export const PLATFORM_METRICS: Array<{ key: string; title: string; description: string; windowed: boolean }> =
  [
    {
      key: 'snippet_runs_by_state',
      title: 'Snippet runs',
      description: "The workspace's snippet runs in the window, by state.",
      windowed: true,
    },
    {
      key: 'install_renders_by_state',
      title: 'Renders',
      description: "The workspace's install renders started in the window, by state.",
      windowed: true,
    },
    {
      key: 'agent_sessions_active',
      title: 'Agent sessions in progress',
      description: "The workspace's agent sessions that have not ended, by state.",
      windowed: false,
    },
    {
      key: 'sandboxes_in_use',
      title: 'Sandboxes in use',
      description:
        "Sandboxes the workspace's agent runs and services take now, beside the server's capacity.",
      windowed: false,
    },
  ];

export function metricOf(key: string) {
  return PLATFORM_METRICS.find((m) => m.key === key);
}

/** The title a widget shows: its own, else its metric's, else a fallback naming its source. */
export function widgetTitle(w: Widget): string {
  if (w.title) return w.title;
  if (w.widget_type === 'platform_metric') return metricOf(w.metric_key)?.title ?? w.metric_key;
  return `Snippet ${w.snippet_id}`;
}

export const HEIGHTS: Height[] = ['compact', 'standard', 'tall'];
/** Grid rows a widget of each height takes (rows are a fixed size, so a widget's box never changes). */
export const HEIGHT_ROWS: Record<Height, number> = { compact: 1, standard: 2, tall: 3 };

export const VISUALIZATIONS: Visualization[] = [
  'stat',
  'sparkline',
  'line',
  'area',
  'bar',
  'donut',
  'table',
  'status_list',
  'logs',
  'json',
];
