/**
 * Dashboard widget schemas (Akua `Widget`, `WidgetList`, `CreateDashboardWidgetBody`,
 * `UpdateDashboardWidgetBody`), the widget parts they share (col_span, height, freshness and refresh
 * policies, input and filter bindings, visualization), and the unnamed widget shapes of the dashboard
 * create body and of revisions. A widget is either a snippet widget or a platform metric widget; the
 * create and update bodies also take a legacy snippet shape without `widget_type`. Transcribed from
 * spec/akua-openapi.json: request defaults are the published ones, applied when a field is absent.
 */
import { z } from '@hono/zod-openapi';
import { listOf, UnixSeconds } from '../http/schemas.ts';
import { exactUnion } from '../snippets/exact-union.ts';
import { DisplayType as SnippetDisplayType } from '../snippets/schemas.ts';

/** A dashboard variable's filter key: `var.` and a snippet input key. */
export const VARIABLE_FILTER_KEY = /^var\.[a-z][a-z0-9_]{0,31}$/;
const VARIABLE_FILTER_KEY_MESSAGE = 'must be var. followed by a lowercase letter and up to 31 a-z, 0-9 or _';

const WidgetId = z.string().min(1).max(54);
const SnippetId = z.string().min(1).max(54);
const DashboardId = z.string().min(1).max(55);
const Title = z.string().max(100);
const Position = z.number().int();

/** Columns a widget spans, 1 to 4 (published as an anyOf of single-number enums). */
export const ColSpan = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]);
export type ColSpan = z.infer<typeof ColSpan>;

export const WidgetHeight = z.enum(['compact', 'standard', 'tall']);
export type WidgetHeight = z.infer<typeof WidgetHeight>;

/** A link a widget opens, or null. */
export const DrillDown = z.string().min(1).max(2048).nullable();
export type DrillDown = z.infer<typeof DrillDown>;

export const VisualizationOptions = z.record(z.string(), z.unknown());
export type VisualizationOptions = z.infer<typeof VisualizationOptions>;

/** How a snippet widget's result is drawn; null leaves it to the snippet's default visualization. */
export const Visualization = z
  .enum(['stat', 'sparkline', 'line', 'area', 'bar', 'donut', 'table', 'status_list', 'logs', 'json'])
  .nullable();
export type Visualization = z.infer<typeof Visualization>;

/** How old a cached widget result may be before it is recomputed. */
export const FreshnessPolicy = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('provider_default') }),
  z.strictObject({ mode: z.literal('max_age'), max_age_seconds: z.number().int().min(30).max(86400) }),
]);
export type FreshnessPolicy = z.infer<typeof FreshnessPolicy>;

/** When a snippet widget runs its snippet again. */
export const RefreshPolicy = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('on_load') }),
  z.strictObject({ mode: z.literal('manual') }),
  z.strictObject({ mode: z.literal('interval'), interval_seconds: z.number().int().min(60).max(86400) }),
]);
export type RefreshPolicy = z.infer<typeof RefreshPolicy>;

/** A dashboard filter a binding can inherit: a built-in filter or a variable (`var.<key>`). */
export const FilterKey = z.union([
  z.enum(['time', 'comparison', 'cluster', 'install', 'product', 'package', 'region', 'status']),
  z.string().regex(VARIABLE_FILTER_KEY, VARIABLE_FILTER_KEY_MESSAGE),
]);
export type FilterKey = z.infer<typeof FilterKey>;

/** Where one snippet input (or metric filter) takes its value: a dashboard filter, a fixed value, or nowhere. */
export const Binding = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('inherit'), filter_key: FilterKey }),
  z.strictObject({
    mode: z.literal('fixed'),
    // Required but any JSON value, null included; the refinement also marks it required in the document.
    value: z.unknown().refine((v) => v !== undefined, 'value is required with mode fixed'),
  }),
  z.strictObject({ mode: z.literal('unbound') }),
]);
export type Binding = z.infer<typeof Binding>;

/** Bindings by input key (input_bindings) or filter key (filter_bindings). */
export const Bindings = z.record(z.string(), Binding);
export type Bindings = z.infer<typeof Bindings>;

const MetricKey = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z][a-z0-9_]*$/, 'must be a lowercase letter then lowercase letters, digits or _');
const MetricVersion = z.number().int().positive();
const SnippetEtag = z.string().nullable();
/** The snippet display types, without the snippet schema's example (the widget schemas publish none). */
const DisplayType = SnippetDisplayType.openapi({ example: undefined });
const NullableDisplayType = DisplayType.nullable();

// Field groups, each as one context publishes it.

const layout = {
  height: WidgetHeight,
  drill_down: DrillDown,
  visualization_options: VisualizationOptions,
  freshness_policy: FreshnessPolicy,
};
const layoutDefaults = {
  height: WidgetHeight.default('standard'),
  drill_down: DrillDown.default(null),
  visualization_options: VisualizationOptions.default({}),
  freshness_policy: FreshnessPolicy.default({ mode: 'provider_default' }),
};
const snippetView = {
  input_bindings: Bindings,
  visualization: Visualization,
  refresh_policy: RefreshPolicy,
  display_type: NullableDisplayType,
};
const snippetViewDefaults = {
  snippet_etag: SnippetEtag.default(null),
  input_bindings: Bindings.default({}),
  visualization: Visualization.default(null),
  refresh_policy: RefreshPolicy.default({ mode: 'on_load' }),
  display_type: NullableDisplayType.default(null),
};
const metric = { metric_key: MetricKey, metric_version: MetricVersion, filter_bindings: Bindings };
const SNIPPET = { widget_type: z.literal('snippet') };
const METRIC = { widget_type: z.literal('platform_metric') };

// Widget (response).

const widgetFields = {
  id: WidgetId,
  dashboard_id: DashboardId,
  title: Title.nullable(),
  position: Position,
  col_span: ColSpan,
  ...layout,
  created_at: UnixSeconds,
  updated_at: UnixSeconds,
  etag: z.string(),
};

export const Widget = z
  .discriminatedUnion('widget_type', [
    z.strictObject({ ...widgetFields, ...METRIC, ...metric }),
    z.strictObject({
      ...widgetFields,
      ...SNIPPET,
      snippet_id: SnippetId,
      snippet_etag: SnippetEtag,
      ...snippetView,
    }),
  ])
  .openapi('Widget', { 'x-platform-exact-union': true } as object);
export type Widget = z.infer<typeof Widget>;

export const WidgetList = listOf(Widget, 'WidgetList');
export type WidgetList = z.infer<typeof WidgetList>;

/**
 * A oneOf body of a legacy snippet shape (no widget_type) and the two widget kinds, checked first
 * against the variant its widget_type names so that every issue names its field (see exactUnion).
 */
function widgetBody<L extends z.ZodObject, S extends z.ZodObject, M extends z.ZodObject>(
  legacy: L,
  snippet: S,
  platformMetric: M,
) {
  const checked = z.unknown().superRefine((input, ctx) => {
    const type =
      input !== null && typeof input === 'object'
        ? (input as Record<string, unknown>).widget_type
        : undefined;
    const variant =
      type === undefined
        ? legacy
        : type === 'snippet'
          ? snippet
          : type === 'platform_metric'
            ? platformMetric
            : undefined;
    if (variant === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['widget_type'],
        message: 'widget_type must be snippet or platform_metric (or absent, for a legacy snippet widget)',
      });
      return;
    }
    for (const issue of variant.safeParse(input).error?.issues ?? []) ctx.addIssue({ ...issue });
  });
  return exactUnion(checked, z.union([legacy, snippet, platformMetric]));
}

// CreateDashboardWidgetBody (POST /dashboards/{id}/widgets).

const createLegacy = z.strictObject({
  snippet_id: SnippetId,
  title: Title.optional(),
  col_span: ColSpan,
  display_type: NullableDisplayType.optional(),
  position: Position.optional(),
});
const createPlaced = {
  title: Title.optional(),
  col_span: ColSpan,
  position: Position.optional(),
  ...layoutDefaults,
};

export const CreateDashboardWidgetBody = widgetBody(
  createLegacy,
  z.strictObject({ ...createPlaced, ...SNIPPET, snippet_id: SnippetId, ...snippetViewDefaults }),
  z.strictObject({ ...createPlaced, ...METRIC, ...metric, filter_bindings: Bindings.default({}) }),
).openapi('CreateDashboardWidgetBody', { 'x-platform-exact-union': true } as object);
export type CreateDashboardWidgetBody = z.infer<typeof CreateDashboardWidgetBody>;

// UpdateDashboardWidgetBody (PATCH /dashboards/{id}/widgets/{wgt_id}): every field but widget_type optional.

const updatePlaced = { title: Title.nullable(), col_span: ColSpan, position: Position };

export const UpdateDashboardWidgetBody = widgetBody(
  z.strictObject({ ...updatePlaced, display_type: NullableDisplayType }).partial(),
  z.strictObject({
    ...z.object({ ...updatePlaced, ...layout, snippet_etag: SnippetEtag, ...snippetView }).partial().shape,
    ...SNIPPET,
  }),
  z.strictObject({ ...z.object({ ...updatePlaced, ...layout, ...metric }).partial().shape, ...METRIC }),
).openapi('UpdateDashboardWidgetBody', { 'x-platform-exact-union': true } as object);
export type UpdateDashboardWidgetBody = z.infer<typeof UpdateDashboardWidgetBody>;

// A widget item of the POST /dashboards body: no position (the list's order), col_span defaults to 2.

const initialPlaced = { title: Title.optional(), col_span: ColSpan.default(2), ...layoutDefaults };

export const CreateDashboardWidgetItem = widgetBody(
  z.strictObject({
    snippet_id: SnippetId,
    title: Title.optional(),
    display_type: DisplayType.optional(),
    col_span: ColSpan.default(2),
  }),
  z.strictObject({ ...initialPlaced, ...SNIPPET, snippet_id: SnippetId, ...snippetViewDefaults }),
  z.strictObject({ ...initialPlaced, ...METRIC, ...metric, filter_bindings: Bindings.default({}) }),
).openapi({ 'x-platform-exact-union': true } as object);
export type CreateDashboardWidgetItem = z.infer<typeof CreateDashboardWidgetItem>;

// Revisions: the widgets a revision holds (response), and those a new revision is given (request).

const revisionPlaced = {
  widget_id: WidgetId,
  position: Position.min(0),
  title: Title.nullable(),
  col_span: ColSpan,
};

/** A widget as a dashboard revision recorded it. */
export const DashboardRevisionWidget = z.discriminatedUnion('widget_type', [
  z.strictObject({
    ...revisionPlaced,
    ...layout,
    ...SNIPPET,
    snippet_id: SnippetId,
    snippet_etag: z.string(),
    ...snippetView,
  }),
  z.strictObject({ ...revisionPlaced, ...layout, ...METRIC, ...metric }),
]);
export type DashboardRevisionWidget = z.infer<typeof DashboardRevisionWidget>;

const revisionInputPlaced = { widget_id: WidgetId.optional(), title: Title.optional(), col_span: ColSpan };

/** A widget of a POST /dashboards/{id}/revisions body: whole, in list order (no position, no snippet_etag). */
export const DashboardRevisionWidgetInput = z.discriminatedUnion('widget_type', [
  z.strictObject({ ...revisionInputPlaced, ...layout, ...SNIPPET, snippet_id: SnippetId, ...snippetView }),
  z.strictObject({ ...revisionInputPlaced, ...layout, ...METRIC, ...metric }),
]);
export type DashboardRevisionWidgetInput = z.infer<typeof DashboardRevisionWidgetInput>;
