/**
 * Edit mode: per-widget controls (move, width, height, edit in edit-widget.tsx, remove) and the form that
 * adds a widget over a snippet or a platform metric. Each control is one API write, so one revision.
 */
import { useState, type FormEvent } from 'react';
import type { Schema } from '@atoll/client';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { usePaged, type ListPage } from '../../ui/paged.tsx';
import { ErrorBox } from '../../ui/states.tsx';
import { EditWidgetButton } from './edit-widget.tsx';
import type { NewWidget, useDashboardMutations } from './mutations.ts';
import {
  HEIGHTS,
  PLATFORM_METRICS,
  VISUALIZATIONS,
  widgetTitle,
  type ColSpan,
  type Dashboard,
  type Height,
  type Visualization,
  type Widget,
} from './types.ts';

type Mutations = ReturnType<typeof useDashboardMutations>;
type Snippet = Schema<'Snippet'>;
type MetricBindings = Extract<Widget, { widget_type: 'platform_metric' }>['filter_bindings'];

export function WidgetControls({
  widget,
  dashboard,
  count,
  mutations,
}: {
  widget: Widget;
  dashboard: Dashboard;
  count: number;
  mutations: Mutations;
}) {
  const title = widgetTitle(widget);
  const busy = mutations.patchWidget.isPending || mutations.removeWidget.isPending;
  const patch = (p: Parameters<Mutations['patchWidget']['mutate']>[0]['patch']) =>
    mutations.patchWidget.mutate({ widget, patch: p });
  const h = HEIGHTS.indexOf(widget.height);
  const buttons: Array<{ label: string; text: string; disabled: boolean; run(): void }> = [
    {
      label: 'Move up',
      text: '↑',
      disabled: widget.position === 0,
      run: () => patch({ position: widget.position - 1 }),
    },
    {
      label: 'Move down',
      text: '↓',
      disabled: widget.position >= count - 1,
      run: () => patch({ position: widget.position + 1 }),
    },
    {
      label: 'Narrower',
      text: '⇤',
      disabled: widget.col_span <= 1,
      run: () => patch({ col_span: (widget.col_span - 1) as ColSpan }),
    },
    {
      label: 'Wider',
      text: '⇥',
      disabled: widget.col_span >= 4,
      run: () => patch({ col_span: (widget.col_span + 1) as ColSpan }),
    },
    { label: 'Shorter', text: '⤒', disabled: h <= 0, run: () => patch({ height: HEIGHTS[h - 1] }) },
    {
      label: 'Taller',
      text: '⤓',
      disabled: h >= HEIGHTS.length - 1,
      run: () => patch({ height: HEIGHTS[h + 1] }),
    },
  ];
  return (
    <div className="widget-toolbar" role="toolbar" aria-label={`Layout of ${title}`}>
      {buttons.map((b) => (
        <button
          key={b.label}
          type="button"
          className="icon"
          aria-label={`${b.label}: ${title}`}
          title={b.label}
          disabled={busy || b.disabled}
          onClick={b.run}
        >
          {b.text}
        </button>
      ))}
      <EditWidgetButton widget={widget} dashboard={dashboard} mutations={mutations} disabled={busy} />
      <span className="muted layout-size">
        {widget.col_span}/4 · {widget.height}
      </span>
      <button
        type="button"
        className="danger icon"
        aria-label={`Remove: ${title}`}
        title="Remove"
        disabled={busy}
        onClick={() => {
          if (
            confirm(
              `Remove the widget "${title}"? A revision keeps it; restore that revision to bring it back.`,
            )
          ) {
            mutations.removeWidget.mutate(widget);
          }
        }}
      >
        ✕
      </button>
    </div>
  );
}

/** Snippet inputs bound to the dashboard's filters they match: a time range to `time`, others to `var.<key>`. */
function bindingsFor(snippet: Snippet | undefined, dashboard: Dashboard) {
  const keys = new Set(dashboard.filter_definitions.map((f) => f.key));
  const bindings: Record<string, { mode: 'inherit'; filter_key: string }> = {};
  for (const input of snippet?.inputs ?? []) {
    if (input.kind === 'time_range' && keys.has('time'))
      bindings[input.key] = { mode: 'inherit', filter_key: 'time' };
    else if (keys.has(`var.${input.key}`))
      bindings[input.key] = { mode: 'inherit', filter_key: `var.${input.key}` };
  }
  return bindings;
}

export function AddWidgetForm({
  dashboard,
  mutations,
  onDone,
}: {
  dashboard: Dashboard;
  mutations: Mutations;
  onDone(): void;
}) {
  const ws = useWorkspaceKey();
  const [source, setSource] = useState<'snippet' | 'platform_metric'>('snippet');
  const [snippetId, setSnippetId] = useState('');
  const [metricKey, setMetricKey] = useState(PLATFORM_METRICS[0]!.key);
  const [title, setTitle] = useState('');
  const [visualization, setVisualization] = useState<Visualization | ''>('');
  const [colSpan, setColSpan] = useState<ColSpan>(2);
  const [height, setHeight] = useState<Height>('standard');
  const snippets = usePaged<Snippet>(
    [ws, 'dashboards', 'snippet-choices'],
    (cursor) =>
      // The generated answer type drops the contract fields' null member; the schema's type is the truth.
      call(api.GET('/v1/snippets', { params: { query: { cursor, limit: 100 } } })) as Promise<
        ListPage<Snippet>
      >,
  );
  const active = snippets.rows.filter((s) => s.archived_at === null);
  const chosen = active.find((s) => s.id === snippetId);
  const hasTime = dashboard.filter_definitions.some((f) => f.key === 'time');
  const metric = PLATFORM_METRICS.find((m) => m.key === metricKey)!;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const common = {
      col_span: colSpan,
      height,
      drill_down: null,
      visualization_options: {},
      freshness_policy: { mode: 'provider_default' as const },
      ...(title.trim() ? { title: title.trim() } : {}),
    };
    const timeBinding: MetricBindings = { time: { mode: 'inherit', filter_key: 'time' } };
    const body: NewWidget =
      source === 'snippet'
        ? {
            ...common,
            widget_type: 'snippet' as const,
            snippet_id: snippetId,
            snippet_etag: null,
            input_bindings: bindingsFor(chosen, dashboard),
            visualization: visualization === '' ? null : visualization,
            refresh_policy: { mode: 'on_load' as const },
            display_type: null,
          }
        : {
            ...common,
            widget_type: 'platform_metric' as const,
            metric_key: metricKey,
            metric_version: 1,
            filter_bindings:
              metric.windowed && hasTime ? { time: { mode: 'inherit' as const, filter_key: 'time' } } : {},
          };
    mutations.addWidget.mutate(body, { onSuccess: onDone });
  };

  return (
    <form className="add-widget" onSubmit={submit} aria-label="Add a widget">
      <h3>Add a widget</h3>
      <fieldset className="row">
        <legend>Source</legend>
        <label className="radio">
          <input
            type="radio"
            name="source"
            checked={source === 'snippet'}
            onChange={() => setSource('snippet')}
          />{' '}
          Snippet
        </label>
        <label className="radio">
          <input
            type="radio"
            name="source"
            checked={source === 'platform_metric'}
            onChange={() => setSource('platform_metric')}
          />{' '}
          Platform metric
        </label>
      </fieldset>
      <div className="form-grid">
        {source === 'snippet' ? (
          <label>
            Snippet
            <select required value={snippetId} onChange={(e) => setSnippetId(e.target.value)}>
              <option value="" disabled>
                {snippets.isPending
                  ? 'Loading snippets…'
                  : active.length
                    ? 'Choose a snippet'
                    : 'No snippets yet'}
              </option>
              {active.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </select>
            {snippets.hasNextPage ? (
              <button type="button" className="link" onClick={() => snippets.fetchNextPage()}>
                More snippets
              </button>
            ) : null}
          </label>
        ) : (
          <label>
            Metric
            <select value={metricKey} onChange={(e) => setMetricKey(e.target.value)}>
              {PLATFORM_METRICS.map((m) => (
                <option key={m.key} value={m.key}>
                  {m.title}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          Title
          <input
            value={title}
            maxLength={200}
            placeholder={source === 'snippet' ? (chosen?.name ?? '') : metric.title}
            onChange={(e) => setTitle(e.target.value)}
          />
        </label>
        {source === 'snippet' ? (
          <label>
            Visualization
            <select
              value={visualization}
              onChange={(e) => setVisualization(e.target.value as Visualization | '')}
            >
              <option value="">The snippet's default</option>
              {VISUALIZATIONS.map((v) => (
                <option key={v} value={v}>
                  {v.replace('_', ' ')}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label>
          Width
          <select value={colSpan} onChange={(e) => setColSpan(Number(e.target.value) as ColSpan)}>
            {[1, 2, 3, 4].map((n) => (
              <option key={n} value={n}>
                {n} of 4 columns
              </option>
            ))}
          </select>
        </label>
        <label>
          Height
          <select value={height} onChange={(e) => setHeight(e.target.value as Height)}>
            {HEIGHTS.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="muted hint">
        {source === 'snippet'
          ? chosen && Object.keys(bindingsFor(chosen, dashboard)).length
            ? `Inputs bound to this dashboard's filters: ${Object.keys(bindingsFor(chosen, dashboard)).join(', ')}.`
            : "The snippet's inputs take their defaults."
          : metric.windowed
            ? hasTime
              ? `${metric.description} Counts the window of the dashboard's time filter.`
              : `${metric.description} This dashboard has no time filter, so it counts the last 24 hours.`
            : metric.description}
      </p>
      {snippets.isError ? <ErrorBox error={snippets.error} title="Snippets" /> : null}
      {mutations.addWidget.isError ? <ErrorBox error={mutations.addWidget.error} /> : null}
      <div className="row">
        <button type="submit" className="primary" disabled={mutations.addWidget.isPending}>
          {mutations.addWidget.isPending ? 'Adding…' : 'Add widget'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
