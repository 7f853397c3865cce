/**
 * The dashboard writes the console makes, each one API call that the server turns into one revision:
 * widget layout changes and removal carry the widget's etag (`if-match`), dashboard-level writes the
 * dashboard's; creations carry an idempotency key so a retried click adds nothing twice.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { operations, Schema } from '@atoll/client';
import { api, call, newIdempotencyKey, useWorkspaceKey } from '../../api.ts';
import { metricOf, type Dashboard, type SnippetWidget, type Widget } from './types.ts';

/** The widget fields the console changes: layout (toolbar) and title, drawing and bindings (edit dialog). */
export type WidgetPatch = {
  position?: number;
  col_span?: Widget['col_span'];
  height?: Widget['height'];
  title?: string | null;
  visualization?: SnippetWidget['visualization'];
  display_type?: SnippetWidget['display_type'];
  input_bindings?: SnippetWidget['input_bindings'];
};
export type NewWidget = Schema<'CreateDashboardWidgetBody'>;

/** Every dashboards query of the workspace (dashboards, lists, revisions), not the widget results. */
export function useInvalidateDashboards() {
  const ws = useWorkspaceKey();
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: [ws, 'dashboards'] });
}

export function useDashboardMutations(dashboard: Dashboard) {
  const invalidate = useInvalidateDashboards();
  const id = dashboard.id;
  const onSettled = () => invalidate();

  const patch = ({ widget, patch }: { widget: Widget; patch: WidgetPatch }) =>
    call(
      api.PATCH('/v1/dashboards/{id}/widgets/{wgt_id}', {
        params: { path: { id, wgt_id: widget.id }, header: { 'if-match': widget.etag } },
        // widget_type picks the body's variant; without it only the legacy fields (no height) are accepted.
        body: { widget_type: widget.widget_type, ...patch } as Schema<'UpdateDashboardWidgetBody'>,
      }),
    );
  const patchWidget = useMutation({ mutationFn: patch, onSettled });
  // The edit dialog's own mutation, so its refusal shows in the dialog, not in the edit panel.
  const editWidget = useMutation({ mutationFn: patch, onSettled });
  const removeWidget = useMutation({
    mutationFn: (widget: Widget) =>
      call(
        api.DELETE('/v1/dashboards/{id}/widgets/{wgt_id}', {
          params: { path: { id, wgt_id: widget.id }, header: { 'if-match': widget.etag } },
        }),
      ),
    onSettled,
  });
  const addWidget = useMutation({
    mutationFn: (body: NewWidget) =>
      call(
        api.POST('/v1/dashboards/{id}/widgets', {
          params: { path: { id }, header: { 'idempotency-key': newIdempotencyKey() } },
          body,
        }),
      ),
    onSettled,
  });
  const resetToRecommended = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/dashboards/{id}:resetToRecommended', {
          params: {
            path: { id },
            header: { 'if-match': dashboard.etag, 'idempotency-key': newIdempotencyKey() },
          },
        }),
      ),
    onSettled,
  });
  const rename = useMutation({
    mutationFn: (body: { name: string; description: string }) =>
      call(
        api.PATCH('/v1/dashboards/{id}', {
          params: { path: { id }, header: { 'if-match': dashboard.etag } },
          body,
        }),
      ),
    onSettled,
  });
  const addTimeFilter = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/dashboards/{id}/revisions', {
          params: {
            path: { id },
            header: { 'if-match': dashboard.etag, 'idempotency-key': newIdempotencyKey() },
          },
          body: withTimeFilter(dashboard),
        }),
      ),
    onSettled,
  });
  const remove = useMutation({
    mutationFn: () =>
      call(
        api.DELETE('/v1/dashboards/{id}', {
          params: { path: { id }, header: { 'if-match': dashboard.etag } },
        }),
      ),
  });
  return {
    patchWidget,
    editWidget,
    removeWidget,
    addWidget,
    resetToRecommended,
    rename,
    addTimeFilter,
    remove,
  };
}

type RevisionBody = operations['dashboards.createRevision']['requestBody']['content']['application/json'];

/**
 * The dashboard's whole definition (a new revision's body) with a `time` filter added, and each windowed
 * platform metric that binds no window made to inherit it, so the filter changes what they count.
 */
function withTimeFilter(d: Dashboard): RevisionBody {
  return {
    name: d.name,
    description: d.description,
    filter_definitions: [...d.filter_definitions, { kind: 'time', key: 'time', label: 'Time' }],
    default_filter_values: d.default_filter_values,
    summary: 'Add a time filter',
    widgets: [...d.widgets]
      .sort((a, b) => a.position - b.position)
      .map((w) => {
        const common = {
          widget_id: w.id,
          ...(w.title === null ? {} : { title: w.title }),
          col_span: w.col_span,
          height: w.height,
          drill_down: w.drill_down,
          visualization_options: w.visualization_options,
          freshness_policy: w.freshness_policy,
        };
        if (w.widget_type === 'snippet') {
          return {
            ...common,
            widget_type: 'snippet' as const,
            snippet_id: w.snippet_id,
            input_bindings: w.input_bindings,
            visualization: w.visualization,
            refresh_policy: w.refresh_policy,
            display_type: w.display_type,
          };
        }
        const windowed = metricOf(w.metric_key)?.windowed ?? false;
        return {
          ...common,
          widget_type: 'platform_metric' as const,
          metric_key: w.metric_key,
          metric_version: w.metric_version,
          filter_bindings:
            windowed && !w.filter_bindings.time
              ? { ...w.filter_bindings, time: { mode: 'inherit' as const, filter_key: 'time' } }
              : w.filter_bindings,
        };
      }),
  };
}
