/**
 * Widgets from request bodies: the legacy snippet shape (`{snippet_id, title, display_type, col_span}`),
 * the full snippet widget (`widget_type: "snippet"`), and `platform_metric` widgets, which Atoll refuses
 * until it computes platform metrics (docs/dashboards.md). A body naming an existing `widget_id` (in a
 * revision) keeps that widget's identity and creation time.
 */
import { newId } from '../db/ids.ts';
import { invalid } from '../http/errors.ts';
import { canonicalJson } from '../lib/canonical-json.ts';
import type { SnippetLookup } from './commit.ts';
import { snippetWidget, type SnippetWidgetInput } from './definition.ts';
import type { StoredWidget } from './tables.ts';

type Body = Record<string, unknown> & { widget_type?: string; snippet_id?: string; widget_id?: string };

/** 422 for a platform_metric widget: Atoll computes no platform metrics yet. */
export function refusePlatformMetric(field: string[]): never {
  throw invalid(
    [...field, 'widget_type'],
    'platform_metric widgets are not served yet: Atoll does not compute platform metrics yet; use a snippet widget whose snippet reads the data through platform.request()',
  );
}

export async function widgetFromBody(
  lookup: SnippetLookup,
  workspaceId: string,
  body: Body,
  keep: Map<string, StoredWidget>,
  now: number,
  field: string[],
): Promise<StoredWidget> {
  if (body.widget_type === 'platform_metric') refusePlatformMetric(field);
  const { widget_id: widgetId, widget_type: _, ...rest } = body;
  const input = rest as SnippetWidgetInput;
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
  const snippet = await lookup(workspaceId, input.snippet_id);
  if (!snippet)
    throw invalid([...field, 'snippet_id'], `snippet ${input.snippet_id} not found in this workspace`);
  const widget = snippetWidget(id, input, snippet, now);
  if (!kept) return widget;
  const bare = (w: StoredWidget) =>
    canonicalJson({ ...w, position: 0, version: 0, created_at: 0, updated_at: 0 });
  const same = bare(kept) === bare(widget);
  return same ? { ...kept } : { ...widget, created_at: kept.created_at, version: kept.version + 1 };
}
