/**
 * The dashboard writes the console makes, each one API call that the server turns into one revision:
 * widget layout changes and removal carry the widget's etag (`if-match`), dashboard-level writes the
 * dashboard's; creations carry an idempotency key so a retried click adds nothing twice.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Schema } from '@atoll/client';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { newKey, type Dashboard, type Widget } from './types.ts';

type WidgetPatch = { position?: number; col_span?: Widget['col_span']; height?: Widget['height'] };
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

  const patchWidget = useMutation({
    mutationFn: ({ widget, patch }: { widget: Widget; patch: WidgetPatch }) =>
      call(
        api.PATCH('/v1/dashboards/{id}/widgets/{wgt_id}', {
          params: { path: { id, wgt_id: widget.id }, header: { 'if-match': widget.etag } },
          // widget_type picks the body's variant; without it only the legacy fields (no height) are accepted.
          body: { widget_type: widget.widget_type, ...patch } as Schema<'UpdateDashboardWidgetBody'>,
        }),
      ),
    onSettled,
  });
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
          params: { path: { id }, header: { 'idempotency-key': newKey() } },
          body,
        }),
      ),
    onSettled,
  });
  const resetToRecommended = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/dashboards/{id}:resetToRecommended', {
          params: { path: { id }, header: { 'if-match': dashboard.etag, 'idempotency-key': newKey() } },
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
  return { patchWidget, removeWidget, addWidget, resetToRecommended, rename };
}
