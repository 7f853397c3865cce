/**
 * Dashboard request and response schemas (Akua `Dashboard`, `DashboardList`, `DashboardRevision`,
 * `DashboardRevisionList`, `DashboardRevisionMutationResponse`, `DashboardWidgetResultResolution`,
 * `ResolveDashboardWidgetResultBody`, and the inline bodies of the dashboards operations), with the
 * filter definitions and default filter values a dashboard declares. Widget schemas are in
 * widget-schemas.ts; `SnippetUsageDashboard` is in src/snippets/usage.ts.
 */
import { z } from '@hono/zod-openapi';
import { listOf, orNull, UnixSeconds } from '../http/schemas.ts';
import { InputDescriptor } from '../snippets/inputs.ts';
import { SnippetRun } from '../snippets/run-schemas.ts';
import {
  CreateDashboardWidgetItem,
  DashboardRevisionWidget,
  DashboardRevisionWidgetInput,
  VARIABLE_FILTER_KEY,
  Widget,
} from './widget-schemas.ts';

/** Most filter definitions, and most widgets, a dashboard holds. */
export const MAX_FILTER_DEFINITIONS = 24;
export const MAX_DASHBOARD_WIDGETS = 24;

const DashboardId = z.string().min(1).max(55);
const RevisionId = z.string().min(1).max(55);
const WorkspaceId = z.string().min(1).max(53);
const Name = z.string().min(1).max(100);
const Label = z.string().min(1).max(100);

export const DashboardPurpose = z.enum(['workspace_overview', 'custom']);
export type DashboardPurpose = z.infer<typeof DashboardPurpose>;

/** A resource a filter (or a resource input) picks: its kind. */
export const FilterResource = z.enum(['cluster', 'install', 'product', 'package', 'region']);
export type FilterResource = z.infer<typeof FilterResource>;

/** One filter a dashboard offers: time, comparison, a resource, status, or a variable (a snippet input). */
export const FilterDefinition = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('time'), key: z.literal('time'), label: Label }),
  z.strictObject({ kind: z.literal('comparison'), key: z.literal('comparison'), label: Label }),
  z.strictObject({
    kind: z.literal('resource'),
    key: FilterResource,
    resource: FilterResource,
    label: Label,
  }),
  z.strictObject({
    kind: z.literal('status'),
    key: z.literal('status'),
    label: Label,
    options: z.array(z.string().min(1).max(100)).min(1).max(100),
  }),
  z.strictObject({
    kind: z.literal('variable'),
    key: z.string().regex(VARIABLE_FILTER_KEY, 'must be var. followed by the input key'),
    input: InputDescriptor,
  }),
]);
export type FilterDefinition = z.infer<typeof FilterDefinition>;

export const FilterDefinitions = z.array(FilterDefinition).max(MAX_FILTER_DEFINITIONS);
export type FilterDefinitions = z.infer<typeof FilterDefinitions>;

/** Values of the dashboard's filters when a viewer has chosen none, by filter key. */
export const DefaultFilterValues = z.record(z.string(), z.unknown());
export type DefaultFilterValues = z.infer<typeof DefaultFilterValues>;

export const Dashboard = z
  .object({
    id: DashboardId.openapi({ example: 'dash_j572abc123def456' }),
    html_url: z.string().max(2048).openapi({
      format: 'uri',
      description: 'Absolute dashboard URL for this resource. OUTPUT_ONLY.',
      example: 'https://akua.dev/dashboards/dash_j572abc123def456',
    }),
    name: z.string().openapi({ example: 'Cluster Overview' }),
    description: z.string().nullable().openapi({ description: 'Optional dashboard description' }),
    workspace_id: WorkspaceId,
    purpose: DashboardPurpose,
    filter_definitions: FilterDefinitions,
    default_filter_values: DefaultFilterValues,
    active_revision_id: RevisionId.nullable(),
    widgets: z
      .array(Widget)
      .openapi({ description: 'Output-only denormalized widget list for dashboard read models.' }),
    created_by: z.string().openapi({ description: 'User ID of the dashboard creator' }),
    created_at: UnixSeconds,
    updated_at: UnixSeconds,
    etag: z.string(),
  })
  .openapi('Dashboard');
export type Dashboard = z.infer<typeof Dashboard>;

export const DashboardList = listOf(Dashboard, 'DashboardList');
export type DashboardList = z.infer<typeof DashboardList>;

/** POST /dashboards: a dashboard, optionally with its first widgets, in order. */
export const CreateDashboardBody = z.strictObject({
  name: Name.openapi({ example: 'Cluster Overview' }),
  description: z.string().max(500).optional(),
  widgets: z.array(CreateDashboardWidgetItem).max(MAX_DASHBOARD_WIDGETS).optional(),
});
export type CreateDashboardBody = z.infer<typeof CreateDashboardBody>;

/** PATCH /dashboards/{id}: metadata only (widgets change through /widgets). */
export const UpdateDashboardBody = z.strictObject({
  name: Name.optional(),
  description: z.string().max(500).optional(),
});
export type UpdateDashboardBody = z.infer<typeof UpdateDashboardBody>;

/** Response of create (201) and update (200): the dashboard's id. */
export const DashboardIdResponse = z.object({ dashboard_id: z.string() });
export type DashboardIdResponse = z.infer<typeof DashboardIdResponse>;

// Revisions.

export const DashboardRevisionSource = z.enum(['manual', 'automatic', 'restore', 'reset', 'backfill']);
export type DashboardRevisionSource = z.infer<typeof DashboardRevisionSource>;

const WidgetIds = z.array(z.string().min(1).max(54));
const count = z.number().int().min(0);

/** The widget fields a structural diff names (definition.ts compares exactly these). */
export const WidgetField = z.enum([
  'position',
  'title',
  'col_span',
  'height',
  'drill_down',
  'visualization_options',
  'freshness_policy',
  'widget_type',
  'snippet_id',
  'input_bindings',
  'visualization',
  'refresh_policy',
  'display_type',
  'metric_key',
  'metric_version',
  'filter_bindings',
]);

/** What a revision changed from its parent. */
export const DashboardStructuralDiff = z.strictObject({
  version: z.literal(1),
  dashboard_fields: z.array(
    z.enum(['name', 'description', 'purpose', 'filter_definitions', 'default_filter_values']),
  ),
  widgets: z.strictObject({
    added: z.strictObject({ count, widget_ids: WidgetIds }),
    removed: z.strictObject({ count, widget_ids: WidgetIds }),
    changed: z.strictObject({
      count,
      widgets: z.array(
        z.strictObject({ widget_id: z.string().min(1).max(54), fields: z.array(WidgetField) }),
      ),
    }),
  }),
});
export type DashboardStructuralDiff = z.infer<typeof DashboardStructuralDiff>;

/** A snippet widget whose snippet changed since the revision recorded it, and what restoring would do. */
export const SnippetEtagDrift = z.strictObject({
  widget_id: z.string().min(1).max(54),
  snippet_id: z.string().min(1).max(54),
  snapshot_etag: z.string(),
  current_etag: z.string().nullable(),
  current_state: z.enum(['active', 'archived', 'missing']),
  restore_action: z.enum(['none', 'reactivate', 'blocked']),
});
export type SnippetEtagDrift = z.infer<typeof SnippetEtagDrift>;

const revisionFields = {
  id: RevisionId,
  dashboard_id: DashboardId,
  workspace_id: WorkspaceId,
  parent_revision_id: RevisionId.nullable(),
  restored_from_revision_id: RevisionId.nullable(),
  source: DashboardRevisionSource,
  author_id: z.string(),
  summary: z.string().nullable(),
  name: z.string(),
  description: z.string().nullable(),
  purpose: DashboardPurpose,
  filter_definitions: FilterDefinitions,
  default_filter_values: DefaultFilterValues,
  widgets: z.array(DashboardRevisionWidget),
  structural_diff: DashboardStructuralDiff.nullable(),
  snippet_etag_drift: z.array(SnippetEtagDrift),
  created_at: UnixSeconds,
};

export const DashboardRevision = z.strictObject(revisionFields).openapi('DashboardRevision');
export type DashboardRevision = z.infer<typeof DashboardRevision>;

export const DashboardRevisionList = listOf(DashboardRevision, 'DashboardRevisionList');
export type DashboardRevisionList = z.infer<typeof DashboardRevisionList>;

/** A revision a write created, with the dashboard's new etag (published as an allOf; written flat). */
export const DashboardRevisionMutationResponse = z
  .strictObject({ ...revisionFields, dashboard_etag: z.string() })
  .openapi('DashboardRevisionMutationResponse');
export type DashboardRevisionMutationResponse = z.infer<typeof DashboardRevisionMutationResponse>;

/** POST /dashboards/{id}/revisions: the whole dashboard as the new revision holds it. */
export const CreateDashboardRevisionBody = z.strictObject({
  name: Name,
  description: z.string().max(500).nullable(),
  filter_definitions: FilterDefinitions,
  default_filter_values: DefaultFilterValues,
  summary: z.string().max(500).optional(),
  widgets: z.array(DashboardRevisionWidgetInput).max(MAX_DASHBOARD_WIDGETS),
});
export type CreateDashboardRevisionBody = z.infer<typeof CreateDashboardRevisionBody>;

/** POST /dashboards/{id}/revisions/{revision_id}:restore. */
export const RestoreDashboardRevisionBody = z.strictObject({ summary: z.string().max(500).nullable() });
export type RestoreDashboardRevisionBody = z.infer<typeof RestoreDashboardRevisionBody>;

// Widget results (published components no published operation uses yet).

const Sha256Hex = z.string().regex(/^[a-f0-9]{64}$/, 'must be 64 lowercase hex digits');

export const ResolveDashboardWidgetResultBody = z
  .strictObject({
    widget: z.strictObject({ id: z.string().min(1).max(54), dashboard_id: DashboardId }),
    snippet_etag: z.string().min(1).max(200),
    inputs: z.record(z.string(), z.unknown()),
  })
  .openapi('ResolveDashboardWidgetResultBody');
export type ResolveDashboardWidgetResultBody = z.infer<typeof ResolveDashboardWidgetResultBody>;

export const DashboardWidgetResultResolution = z
  .strictObject({
    widget_id: z.string().min(1).max(54),
    snippet_etag: z.string(),
    inputs: z.record(z.string(), z.unknown()),
    input_hash: Sha256Hex,
    cache_key: Sha256Hex.openapi({
      description:
        'Opaque cache identity scoped to the widget, normalized inputs, snippet revision, and authenticated viewer.',
    }),
    result: orNull(SnippetRun),
    freshness: z.strictObject({
      state: z.enum(['missing', 'fresh', 'stale']),
      observed_at: UnixSeconds.nullable(),
      age_seconds: z.number().int().min(0).nullable(),
      max_age_seconds: z.number().int().positive(),
    }),
    revalidation: z.strictObject({ required: z.boolean(), after: UnixSeconds.nullable() }),
  })
  .openapi('DashboardWidgetResultResolution');
export type DashboardWidgetResultResolution = z.infer<typeof DashboardWidgetResultResolution>;

/** Atoll: the figure of a platform_metric widget, computed when it is resolved (metrics.ts). */
export const PlatformMetricResolution = z
  .object({
    widget_id: z.string().min(1).max(54),
    metric_key: z.string(),
    metric_version: z.number().int().positive(),
    window: z
      .object({ from: UnixSeconds, to: UnixSeconds })
      .nullable()
      .openapi({ description: 'The time window counted (windowed metrics), else null.' }),
    value: z.discriminatedUnion('kind', [
      z.object({
        kind: z.literal('by_state'),
        counts: z.record(z.string(), z.number().int().min(0)),
        total: z.number().int().min(0),
      }),
      z.object({ kind: z.literal('usage'), used: z.number().int().min(0), limit: z.number().int().min(0) }),
    ]),
    observed_at: UnixSeconds,
  })
  .openapi('PlatformMetricResolution', {
    description: 'Atoll: the value of a platform_metric widget when it was resolved (docs/dashboards.md).',
  });
export type PlatformMetricResolution = z.infer<typeof PlatformMetricResolution>;
