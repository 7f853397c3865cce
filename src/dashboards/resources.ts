/** Row → resource mappers of dashboards, widgets and revisions (`to<Resource>`). */
import { unixSeconds } from '../db/time.ts';
import { etagOf } from '../http/etag.ts';
import type { Dashboard, DashboardRevision } from './schemas.ts';
import type { DashboardRevisionWidget, Widget } from './widget-schemas.ts';
import type { DashboardRow, RevisionRow } from './store.ts';
import type { StoredWidget } from './tables.ts';

/** DashboardRevision.snippet_etag_drift items. */
export type RevisionDrift = DashboardRevision['snippet_etag_drift'][number];

export function toWidget(dashboardId: string, stored: StoredWidget): Widget {
  const { version, ...widget } = stored;
  return { ...widget, dashboard_id: dashboardId, etag: etagOf(version) } as Widget;
}

export function toDashboard(row: DashboardRow, publicUrl: string): Dashboard {
  return {
    id: row.id,
    html_url: `${publicUrl}/dashboards/${row.id}`,
    name: row.name,
    description: row.description,
    workspace_id: row.workspace_id,
    purpose: row.purpose,
    filter_definitions: row.filter_definitions,
    default_filter_values: row.default_filter_values,
    widgets: row.widgets.map((w) => toWidget(row.id, w)),
    active_revision_id: row.active_revision_id,
    created_by: row.created_by,
    created_at: unixSeconds(row.created_at),
    updated_at: unixSeconds(row.updated_at),
    etag: etagOf(row.version),
  };
}

/** A widget as a revision recorded it: its snippet's etag is the one it had then. */
function toRevisionWidget(stored: StoredWidget, etags: Record<string, string>): DashboardRevisionWidget {
  const { id, version: _v, created_at: _c, updated_at: _u, ...rest } = stored;
  if (rest.widget_type === 'snippet') {
    return { widget_id: id, ...rest, snippet_etag: etags[id] ?? rest.snippet_etag ?? '' };
  }
  return { widget_id: id, ...rest };
}

export function toRevision(row: RevisionRow, drift: RevisionDrift[]): DashboardRevision {
  const d = row.definition;
  return {
    id: row.id,
    dashboard_id: row.dashboard_id,
    workspace_id: row.workspace_id,
    parent_revision_id: row.parent_revision_id,
    restored_from_revision_id: row.restored_from_revision_id,
    source: row.source,
    author_id: row.author_id,
    summary: row.summary,
    name: d.name,
    description: d.description,
    purpose: d.purpose,
    filter_definitions: d.filter_definitions,
    default_filter_values: d.default_filter_values,
    widgets: d.widgets.map((w) => toRevisionWidget(w, d.snippet_etags)),
    structural_diff: row.structural_diff as DashboardRevision['structural_diff'],
    snippet_etag_drift: drift,
    created_at: unixSeconds(row.created_at),
  };
}
