/**
 * Widgets from request bodies: the legacy snippet shape (`{snippet_id, title, display_type, col_span}`),
 * the full snippet widget (`widget_type: "snippet"`), and `platform_metric` widgets over a metric Atoll
 * computes (metrics.ts). A body naming an existing `widget_id` (in a revision) keeps that widget's
 * identity and creation time.
 */
import { newId } from '../db/ids.ts';
import { invalid } from '../http/errors.ts';
import { canonicalJson } from '../lib/canonical-json.ts';
import type { SnippetLookup } from './commit.ts';
import { snippetWidget, type SnippetWidgetInput } from './definition.ts';
import { metricOf, PLATFORM_METRICS, RECOMMENDED } from './metrics.ts';
import type { StoredWidget } from './tables.ts';

type Body = Record<string, unknown> & { widget_type?: string; snippet_id?: string; widget_id?: string };

export type MetricWidget = Extract<StoredWidget, { widget_type: 'platform_metric' }>;

/** 422 unless the widget names a metric Atoll computes and binds only filters that metric takes. */
export function checkMetricWidget(widget: MetricWidget, field: string[]): void {
  const metric = metricOf(widget.metric_key, widget.metric_version, field);
  for (const key of Object.keys(widget.filter_bindings)) {
    if (key !== 'time' || !metric.windowed) {
      throw invalid(
        [...field, 'filter_bindings', key],
        `metric ${widget.metric_key} takes ${metric.windowed ? 'only a time binding' : 'no filter bindings'}`,
      );
    }
  }
}

/** A platform_metric widget with the published defaults. */
function metricWidget(id: string, body: Body, now: number, field: string[]): MetricWidget {
  const b = body as Partial<MetricWidget> & { metric_key: string; metric_version: number };
  const widget: MetricWidget = {
    id,
    widget_type: 'platform_metric',
    metric_key: b.metric_key,
    metric_version: b.metric_version,
    filter_bindings: b.filter_bindings ?? {},
    title: b.title ?? null,
    position: 0,
    col_span: b.col_span ?? 2,
    height: b.height ?? 'standard',
    drill_down: b.drill_down ?? null,
    visualization_options: b.visualization_options ?? {},
    freshness_policy: b.freshness_policy ?? { mode: 'provider_default' },
    created_at: now,
    updated_at: now,
    version: 1,
  };
  checkMetricWidget(widget, field);
  return widget;
}

/** Atoll's recommended widgets (metrics.ts RECOMMENDED), new, in order; windowed ones follow the time filter. */
export function recommendedWidgets(now: number): MetricWidget[] {
  return RECOMMENDED.map((r, position) => {
    const metric = PLATFORM_METRICS[r.metric_key]!;
    const body = {
      metric_key: r.metric_key,
      metric_version: metric.version,
      title: metric.title,
      col_span: r.col_span,
      filter_bindings: metric.windowed ? { time: { mode: 'inherit', filter_key: 'time' } } : {},
    };
    return { ...metricWidget(newId('wgt'), body, now, []), position };
  });
}

export async function widgetFromBody(
  lookup: SnippetLookup,
  workspaceId: string,
  body: Body,
  keep: Map<string, StoredWidget>,
  now: number,
  field: string[],
): Promise<StoredWidget> {
  const { widget_id: widgetId, widget_type: type, ...rest } = body;
  let id = newId('wgt');
  let kept: StoredWidget | undefined;
  if (widgetId !== undefined) {
    kept = keep.get(widgetId);
    if (!kept)
      throw invalid(
        [...field, 'widget_id'],
        `widget ${widgetId} is not on this dashboard; leave widget_id out to add a widget`,
      );
    id = widgetId;
  }
  let widget: StoredWidget;
  if (type === 'platform_metric') {
    widget = metricWidget(id, rest, now, field);
  } else {
    const input = rest as SnippetWidgetInput;
    const snippet = await lookup(workspaceId, input.snippet_id);
    if (!snippet)
      throw invalid([...field, 'snippet_id'], `snippet ${input.snippet_id} not found in this workspace`);
    widget = snippetWidget(id, input, snippet, now);
  }
  if (!kept) return widget;
  const bare = (w: StoredWidget) =>
    canonicalJson({ ...w, position: 0, version: 0, created_at: 0, updated_at: 0 });
  const same = bare(kept) === bare(widget);
  return same ? { ...kept } : { ...widget, created_at: kept.created_at, version: kept.version + 1 };
}
