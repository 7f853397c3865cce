/**
 * A dashboard's definition, changed by pure functions: a widget made from a request body (the
 * published defaults filled in), a widget patched, widgets placed at a position (positions stay
 * 0…n-1 in order), bindings checked against the dashboard's filters, and the structural diff between
 * two definitions that a revision records. Problems are 422s naming the field.
 */
import { invalid } from '../http/errors.ts';
import { canonicalJson } from '../lib/canonical-json.ts';
import { WidgetField, type FilterDefinition } from './schemas.ts';
import type { Bindings } from './widget-schemas.ts';
import type { DashboardDefinition, StoredWidget, StructuralDiff } from './tables.ts';

/** The most widgets one dashboard holds. */
export const MAX_WIDGETS = 100;

/** What a snippet widget is made from (CreateDashboardWidgetBody's snippet variants, normalised). */
export type SnippetWidgetInput = {
  snippet_id: string;
  title?: string | null | undefined;
  col_span?: 1 | 2 | 3 | 4 | undefined;
  position?: number | undefined;
  display_type?: SnippetWidget['display_type'] | undefined;
  snippet_etag?: string | null | undefined;
  height?: StoredWidget['height'] | undefined;
  drill_down?: string | null | undefined;
  visualization_options?: Record<string, unknown> | undefined;
  freshness_policy?: StoredWidget['freshness_policy'] | undefined;
  input_bindings?: SnippetWidget['input_bindings'] | undefined;
  visualization?: SnippetWidget['visualization'] | undefined;
  refresh_policy?: SnippetWidget['refresh_policy'] | undefined;
};

export type SnippetWidget = Extract<StoredWidget, { widget_type: 'snippet' }>;

/** A snippet widget with the published defaults; `display_type` falls back to the snippet's own. */
export function snippetWidget(
  id: string,
  input: SnippetWidgetInput,
  snippet: { display_type: NonNullable<SnippetWidget['display_type']> },
  now: number,
): SnippetWidget {
  return {
    id,
    widget_type: 'snippet',
    snippet_id: input.snippet_id,
    snippet_etag: input.snippet_etag ?? null,
    title: input.title ?? null,
    position: 0,
    col_span: input.col_span ?? 2,
    height: input.height ?? 'standard',
    drill_down: input.drill_down ?? null,
    visualization_options: input.visualization_options ?? {},
    freshness_policy: input.freshness_policy ?? { mode: 'provider_default' },
    input_bindings: input.input_bindings ?? {},
    visualization: input.visualization ?? null,
    refresh_policy: input.refresh_policy ?? { mode: 'on_load' },
    display_type: input.display_type ?? snippet.display_type,
    created_at: now,
    updated_at: now,
    version: 1,
  } as SnippetWidget;
}

/** `widgets` with `widget` at `position` (default: last), positions renumbered 0…n-1; 422 when out of range. */
export function place(
  widgets: StoredWidget[],
  widget: StoredWidget,
  position: number | undefined,
  field: string[],
): StoredWidget[] {
  const others = widgets.filter((w) => w.id !== widget.id);
  const at = position ?? others.length;
  if (!Number.isInteger(at) || at < 0 || at > others.length) {
    throw invalid(
      field,
      `position ${position} is out of range: this dashboard's widgets take positions 0 to ${others.length}`,
    );
  }
  if (others.length + 1 > MAX_WIDGETS)
    throw invalid(field, `a dashboard holds at most ${MAX_WIDGETS} widgets; delete one first`);
  const placed = [...others.slice(0, at), widget, ...others.slice(at)];
  return renumber(placed);
}

/** Positions 0…n-1 in order. A widget moved by another's arrival or removal keeps its version (etag). */
export function renumber(widgets: StoredWidget[]): StoredWidget[] {
  return widgets.map((w, i) => (w.position === i ? w : { ...w, position: i }));
}

/** 422 for an `inherit` binding to a filter the dashboard does not define. */
export function checkBindings(
  widgets: StoredWidget[],
  filters: FilterDefinition[],
  fieldOf: (index: number, bindings: 'input_bindings' | 'filter_bindings', key: string) => string[],
): void {
  const keys = new Set(filters.map((f) => f.key));
  widgets.forEach((w, index) => {
    const [kind, bindings] =
      w.widget_type === 'snippet'
        ? (['input_bindings', w.input_bindings] as const)
        : (['filter_bindings', w.filter_bindings] as const);
    for (const [key, binding] of Object.entries(bindings as Bindings)) {
      if (binding.mode === 'inherit' && !keys.has(binding.filter_key)) {
        throw invalid(
          fieldOf(index, kind, key),
          `${kind === 'input_bindings' ? 'input' : 'binding'} ${key} inherits filter ${binding.filter_key}, which this dashboard does not define${keys.size > 0 ? ` (it defines ${[...keys].join(', ')})` : ' (it defines no filters)'}; add the filter to filter_definitions or bind it with mode fixed or unbound`,
        );
      }
    }
  });
}

const DASHBOARD_FIELDS = [
  'name',
  'description',
  'purpose',
  'filter_definitions',
  'default_filter_values',
] as const;

const WIDGET_FIELDS = WidgetField.options;

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

/** What changed from `before` to `after`; null for a first revision. */
export function structuralDiff(
  before: DashboardDefinition | undefined,
  after: DashboardDefinition,
): StructuralDiff | null {
  if (!before) return null;
  const old = new Map(before.widgets.map((w) => [w.id, w as Record<string, unknown>]));
  const now = new Map(after.widgets.map((w) => [w.id, w as Record<string, unknown>]));
  const added = after.widgets.filter((w) => !old.has(w.id)).map((w) => w.id);
  const removed = before.widgets.filter((w) => !now.has(w.id)).map((w) => w.id);
  const changed = after.widgets
    .filter((w) => old.has(w.id))
    .map((w) => ({
      widget_id: w.id,
      fields: WIDGET_FIELDS.filter((f) => !same(old.get(w.id)![f], (w as Record<string, unknown>)[f])),
    }))
    .filter((c) => c.fields.length > 0);
  return {
    version: 1,
    dashboard_fields: DASHBOARD_FIELDS.filter((f) => !same(before[f], after[f])),
    widgets: {
      added: { count: added.length, widget_ids: added },
      removed: { count: removed.length, widget_ids: removed },
      changed: { count: changed.length, widgets: changed },
    },
  };
}
