-- Widget results (docs/dashboards.md "Widget results"): the newest run of a widget's snippet for one
-- cache key (the widget, its normalised inputs, the snippet's etag and the viewer), served again while
-- it is fresh under the widget's freshness policy. The run itself is a snippet run (snippet_runs).
CREATE TABLE dashboard_widget_results (
  cache_key     text PRIMARY KEY,
  workspace_id  text NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  dashboard_id  text NOT NULL REFERENCES dashboards (id) ON DELETE CASCADE,
  widget_id     text NOT NULL,
  run_id        text NOT NULL,
  observed_at   timestamptz NOT NULL
);
CREATE INDEX dashboard_widget_results_widget ON dashboard_widget_results (dashboard_id, widget_id);
