/**
 * One widget in the grid: a fixed box (its col_span and height) whose body resolves on its own through
 * `POST /v1/dashboards/{id}/widgets/{wgt_id}:resolve`, with its own loading and error state and the
 * freshness of what it shows (when computed; cached or a new run). While a refresh runs the previous
 * result stays in place, so nothing shifts.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { StateBadge, Time } from '../../ui/format.tsx';
import { ErrorBox } from '../../ui/states.tsx';
import {
  HEIGHT_ROWS,
  widgetTitle,
  type MetricResolution,
  type SnippetResolution,
  type Widget,
} from './types.ts';
import { MetricOutput, RunOutput } from './visuals.tsx';

type Resolved =
  | { kind: 'metric'; data: MetricResolution; requestedAt: number }
  | { kind: 'snippet'; data: SnippetResolution; requestedAt: number };

export function WidgetCard({
  dashboardId,
  widget,
  filterValues,
  refreshNonce,
  controls,
}: {
  dashboardId: string;
  widget: Widget;
  filterValues: Record<string, unknown>;
  /** Bumped by the dashboard's Refresh: each new value resolves again with `refresh: true`. */
  refreshNonce: number;
  /** Edit-mode controls, shown in the widget's header. */
  controls?: ReactNode;
}) {
  const ws = useWorkspaceKey();
  const title = widgetTitle(widget);
  const interval =
    widget.widget_type === 'snippet' && widget.refresh_policy.mode === 'interval'
      ? widget.refresh_policy.interval_seconds * 1000
      : false;
  // What the result depends on (not layout: moving or resizing a widget keeps its result).
  const source =
    widget.widget_type === 'snippet'
      ? [widget.snippet_id, widget.snippet_etag, widget.input_bindings]
      : [widget.metric_key, widget.metric_version, widget.filter_bindings];
  const query = useQuery({
    queryKey: [ws, 'dashboard-results', dashboardId, widget.id, source, filterValues, refreshNonce],
    queryFn: async ({ signal }): Promise<Resolved> => {
      const requestedAt = Math.floor(Date.now() / 1000);
      // The generated answer type drops the run's contract fields' null member; the schemas are the truth.
      const data = (await call(
        api.POST('/v1/dashboards/{id}/widgets/{wgt_id}:resolve', {
          params: { path: { id: dashboardId, wgt_id: widget.id } },
          body: { filter_values: filterValues, refresh: refreshNonce > 0 },
          signal,
        }),
      )) as SnippetResolution | MetricResolution;
      return 'metric_key' in data
        ? { kind: 'metric', data, requestedAt }
        : { kind: 'snippet', data, requestedAt };
    },
    placeholderData: keepPreviousData,
    staleTime: 60_000,
    refetchOnWindowFocus: false,
    refetchInterval: interval,
  });

  const style = {
    gridColumn: `span ${widget.col_span}`,
    gridRow: `span ${HEIGHT_ROWS[widget.height]}`,
  };
  return (
    <article
      className={`widget widget-${widget.height}`}
      style={style}
      aria-label={title}
      data-widget-id={widget.id}
    >
      <header className="widget-header">
        <h3 title={title}>{title}</h3>
      </header>
      {controls}
      <div className="widget-body" aria-busy={query.isFetching}>
        {query.isPending ? (
          <div className="widget-loading" role="status">
            Resolving…
          </div>
        ) : query.isError ? (
          <ErrorBox error={query.error} />
        ) : query.data.kind === 'metric' ? (
          <MetricOutput resolution={query.data.data} height={widget.height} title={title} />
        ) : widget.widget_type === 'snippet' ? (
          <SnippetBody resolution={query.data.data} widget={widget} />
        ) : null}
      </div>
      <footer className="widget-foot">
        {query.isFetching && !query.isPending ? (
          <span className="muted">Refreshing…</span>
        ) : (
          <Freshness resolved={query.data} />
        )}
      </footer>
    </article>
  );
}

function SnippetBody({
  resolution,
  widget,
}: {
  resolution: SnippetResolution;
  widget: Extract<Widget, { widget_type: 'snippet' }>;
}) {
  const run = resolution.result;
  if (!run) return <p className="muted">No result yet: the snippet has not run for these filters.</p>;
  if (run.state !== 'succeeded') {
    return (
      <div className="stack">
        <div>
          <StateBadge state={run.state} />{' '}
          <Link to={`/dashboards/snippets/${run.snippet_id}`}>{run.snippet_name}</Link>
        </div>
        <div className="state error" role="alert">
          {run.error
            ? `${run.error.message}${run.error.code ? ` (${run.error.code})` : ''}`
            : `The run ${run.state.replace('_', ' ')}.`}
        </div>
      </div>
    );
  }
  return <RunOutput run={run} widget={widget} height={widget.height} />;
}

/** When the shown result was computed, and whether it came from the cache. */
function Freshness({ resolved }: { resolved: Resolved | undefined }) {
  if (!resolved) return null;
  if (resolved.kind === 'metric') {
    return (
      <span className="muted" title="Platform metrics are counted on every resolution, never cached">
        live · computed <Time value={resolved.data.observed_at} />
      </span>
    );
  }
  const { freshness, result } = resolved.data;
  if (freshness.state === 'missing' || freshness.observed_at === null)
    return <span className="muted">no result</span>;
  const cached = (freshness.age_seconds ?? 0) > 0 || freshness.observed_at < resolved.requestedAt;
  return (
    <span
      className="muted"
      title={`cache policy: results up to ${freshness.max_age_seconds}s old are served again`}
    >
      {cached ? 'cached' : 'new run'} · computed <Time value={freshness.observed_at} />
      {result ? (
        <>
          {' · '}
          <Link to={`/dashboards/snippets/${result.snippet_id}`}>snippet</Link>
        </>
      ) : null}
    </span>
  );
}
