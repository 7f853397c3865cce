/** Kysely row types of the dashboards tables (src/db/migrations/0017_dashboards.sql). */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type {
  DashboardPurpose,
  DefaultFilterValues,
  FilterDefinition,
  DashboardRevisionSource,
  DashboardStructuralDiff,
} from './schemas.ts';
import type { Widget } from './widget-schemas.ts';

type CreatedAt = ColumnType<Date, Date | undefined, never>;
type Timestamp = ColumnType<Date, Date | undefined, Date>;

/** A widget as a dashboard stores it: its served shape without what the dashboard supplies, and its version. */
export type StoredWidget = DistributiveOmit<Widget, 'dashboard_id' | 'etag'> & { version: number };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Everything a revision records and a restore brings back: the dashboard's definition. `snippet_etags`
 * holds, per snippet widget, the etag its snippet had when the revision was written (drift is measured
 * against it).
 */
export type DashboardDefinition = {
  name: string;
  description: string | null;
  purpose: DashboardPurpose;
  filter_definitions: FilterDefinition[];
  default_filter_values: DefaultFilterValues;
  widgets: StoredWidget[];
  snippet_etags: Record<string, string>;
};

export type DashboardsTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  purpose: DashboardPurpose;
  name: string;
  description: string | null;
  filter_definitions: JSONColumnType<FilterDefinition[]>;
  default_filter_values: JSONColumnType<DefaultFilterValues>;
  widgets: JSONColumnType<StoredWidget[]>;
  active_revision_id: string;
  created_by: string;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  deleted_at: Date | null;
};

/** Revisions are immutable: written once, with the change they record. */
export type DashboardRevisionsTable = {
  seq: Generated<number>;
  id: string;
  dashboard_id: string;
  workspace_id: string;
  parent_revision_id: string | null;
  restored_from_revision_id: string | null;
  source: DashboardRevisionSource;
  author_id: string;
  summary: string | null;
  definition: ColumnType<DashboardDefinition, string, never>;
  structural_diff: ColumnType<StructuralDiff | null, string | null, never>;
  created_at: CreatedAt;
};

/** What changed from the parent revision (DashboardRevision.structural_diff, version 1). */
export type StructuralDiff = DashboardStructuralDiff;

/** The newest run served for a cache key (results.ts). */
export type DashboardWidgetResultsTable = {
  cache_key: string;
  workspace_id: string;
  dashboard_id: string;
  widget_id: string;
  run_id: string;
  observed_at: Date;
};

export type DashboardTables = {
  dashboards: DashboardsTable;
  dashboard_revisions: DashboardRevisionsTable;
  dashboard_widget_results: DashboardWidgetResultsTable;
};
