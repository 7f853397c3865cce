/**
 * Edit mode's widget dialog: change a widget's title, how it is drawn (the visualizations that draw its
 * snippet's result type; a legacy snippet's display type) and which dashboard filter feeds each snippet
 * input. Saving is one `PATCH …/widgets/{wgt_id}` with the widget's etag, so one revision; a refusal
 * (e.g. the widget changed meanwhile) keeps the dialog open with the server's message.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Schema } from '@atoll/client';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { ErrorBox } from '../../ui/states.tsx';
import type { useDashboardMutations, WidgetPatch } from './mutations.ts';
import {
  metricOf,
  widgetTitle,
  type Dashboard,
  type FilterDefinition,
  type SnippetWidget,
  type Visualization,
  type Widget,
} from './types.ts';

type Mutations = ReturnType<typeof useDashboardMutations>;
type Snippet = Schema<'Snippet'>;
type Input = NonNullable<Snippet['inputs']>[number];
type ResultType = NonNullable<Snippet['result_type']>;
type DisplayType = NonNullable<SnippetWidget['display_type']>;
type Binding = SnippetWidget['input_bindings'][string];

/**
 * The visualizations that draw each result type (visuals.tsx): a chart kind or a table for series, a
 * number or its history for a scalar; the other types have one way to be drawn. The server stores any.
 */
export const VISUALIZATIONS_FOR: Record<ResultType, Visualization[]> = {
  scalar: ['stat', 'sparkline', 'line', 'area', 'bar'],
  timeseries: ['line', 'area', 'bar', 'sparkline', 'table', 'json'],
  categorical: ['bar', 'donut', 'line', 'area', 'table', 'json'],
  table: ['table'],
  status_list: ['status_list'],
  logs: ['logs'],
  json: ['json'],
};
const DISPLAY_TYPES: DisplayType[] = ['stat', 'table', 'timeseries', 'logs', 'json'];

const label = (v: string) => v.replace('_', ' ');

/** The filters whose value fits an input: a time window for a time range, the same resource, … */
function fits(input: Input, filter: FilterDefinition): boolean {
  switch (filter.kind) {
    case 'time':
    case 'comparison':
      return input.kind === 'time_range';
    case 'resource':
      return input.kind === 'resource' && input.resource === filter.resource;
    case 'status':
      return input.kind === 'enum';
    case 'variable':
      return filter.input.kind === input.kind;
    default: {
      const unknown: never = filter;
      return Boolean(unknown);
    }
  }
}

const filterLabel = (f: FilterDefinition) => (f.kind === 'variable' ? f.input.label : f.label);

/** A binding as a select value: `unbound`, `filter:<key>`, or `fixed` (kept as it is). */
function choiceOf(b: Binding | undefined): string {
  if (!b || b.mode === 'unbound') return 'unbound';
  return b.mode === 'inherit' ? `filter:${b.filter_key}` : 'fixed';
}

export function EditWidgetButton({
  widget,
  dashboard,
  mutations,
  disabled,
}: {
  widget: Widget;
  dashboard: Dashboard;
  mutations: Mutations;
  disabled: boolean;
}) {
  const [open, setOpen] = useState(false);
  const title = widgetTitle(widget);
  return (
    <>
      <button
        type="button"
        className="icon"
        aria-label={`Edit: ${title}`}
        title="Edit title, visualization and inputs"
        aria-haspopup="dialog"
        disabled={disabled}
        onClick={() => setOpen(true)}
      >
        ✎
      </button>
      {open ? (
        <EditWidgetDialog
          widget={widget}
          dashboard={dashboard}
          mutations={mutations}
          onClose={() => {
            mutations.editWidget.reset();
            setOpen(false);
          }}
        />
      ) : null}
    </>
  );
}

function EditWidgetDialog({
  widget,
  dashboard,
  mutations,
  onClose,
}: {
  widget: Widget;
  dashboard: Dashboard;
  mutations: Mutations;
  onClose(): void;
}) {
  const ws = useWorkspaceKey();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  // Closing the dialog before it unmounts gives the focus back to its Edit button.
  const close = () => {
    ref.current?.close();
    onClose();
  };
  const snippetId = widget.widget_type === 'snippet' ? widget.snippet_id : null;
  const snippet = useQuery({
    queryKey: [ws, 'dashboards', 'snippet', snippetId],
    enabled: snippetId !== null,
    // The generated answer type drops the contract fields' null member; the schema's type is the truth.
    queryFn: ({ signal }) =>
      call(
        api.GET('/v1/snippets/{id}', { params: { path: { id: snippetId! } }, signal }),
      ) as Promise<Snippet>,
  });
  const [title, setTitle] = useState(widget.title ?? '');
  const [visualization, setVisualization] = useState<string>(
    widget.widget_type === 'snippet' ? (widget.visualization ?? '') : '',
  );
  const [displayType, setDisplayType] = useState<string>(
    widget.widget_type === 'snippet' ? (widget.display_type ?? '') : '',
  );
  const bindings = widget.widget_type === 'snippet' ? widget.input_bindings : {};
  const [choices, setChoices] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(bindings).map(([k, b]) => [k, choiceOf(b)])),
  );
  const edit = mutations.editWidget;

  const s = snippet.data;
  const contract = s && s.result_type !== null ? s.result_type : null;
  const valid = contract ? VISUALIZATIONS_FOR[contract] : [];
  const inputs = s?.inputs ?? [];

  const patch = (): WidgetPatch => {
    const p: WidgetPatch = {};
    const t = title.trim() === '' ? null : title.trim();
    if (t !== widget.title) p.title = t;
    if (widget.widget_type !== 'snippet') return p;
    const viz = (visualization || null) as Visualization | null;
    if (viz !== widget.visualization) p.visualization = viz;
    const display = (displayType || null) as DisplayType | null;
    if (display !== widget.display_type) p.display_type = display;
    const next: SnippetWidget['input_bindings'] = {};
    for (const input of inputs) {
      const c = choices[input.key] ?? 'unbound';
      if (c === 'fixed') next[input.key] = bindings[input.key]!;
      else if (c.startsWith('filter:')) next[input.key] = { mode: 'inherit', filter_key: c.slice(7) };
    }
    // Bindings of keys the snippet no longer has are kept: the server judges them, not the console.
    for (const [k, b] of Object.entries(bindings)) if (!inputs.some((i) => i.key === k)) next[k] = b;
    if (JSON.stringify(next) !== JSON.stringify(bindings)) p.input_bindings = next;
    return p;
  };
  const changes = Object.keys(patch());

  const submit = (e: FormEvent) => {
    e.preventDefault();
    edit.mutate({ widget, patch: patch() }, { onSuccess: close });
  };

  return (
    <dialog
      ref={ref}
      className="edit-widget"
      aria-labelledby={`edit-${widget.id}`}
      onCancel={(e) => {
        e.preventDefault();
        close();
      }}
    >
      <form onSubmit={submit} className="stack">
        <h3 id={`edit-${widget.id}`}>Edit widget “{widgetTitle(widget)}”</h3>
        <p className="muted hint">
          {widget.widget_type === 'snippet' ? (
            <>
              Snippet <strong>{s?.name ?? widget.snippet_id}</strong>
              {contract ? ` · returns ${label(contract)}` : s ? ' · no result contract (legacy output)' : ''}
            </>
          ) : (
            <>
              Platform metric <strong>{metricOf(widget.metric_key)?.title ?? widget.metric_key}</strong>:
              drawn by the figure it counts, so only its title and layout change.
            </>
          )}
        </p>
        <label>
          Title
          <input
            value={title}
            maxLength={200}
            placeholder={
              widget.widget_type === 'snippet'
                ? (s?.name ?? '')
                : (metricOf(widget.metric_key)?.title ?? widget.metric_key)
            }
            onChange={(e) => setTitle(e.target.value)}
          />
        </label>
        {widget.widget_type === 'snippet' && snippet.isPending ? (
          <p className="muted" role="status">
            Loading the snippet…
          </p>
        ) : null}
        {snippet.isError ? <ErrorBox error={snippet.error} title="The snippet" /> : null}
        {s && contract ? (
          <label>
            Visualization
            <select value={visualization} onChange={(e) => setVisualization(e.target.value)}>
              <option value="">The snippet's default ({label(s.default_visualization ?? '')})</option>
              {valid.map((v) => (
                <option key={v} value={v}>
                  {label(v)}
                </option>
              ))}
              {visualization && !valid.includes(visualization as Visualization) ? (
                <option value={visualization}>{label(visualization)} (does not draw this result)</option>
              ) : null}
            </select>
            <span className="muted hint">
              {valid.length > 1
                ? `The ways a ${label(contract)} result is drawn.`
                : `A ${label(contract)} result is drawn one way.`}
            </span>
          </label>
        ) : null}
        {s && !contract ? (
          <label>
            Display type
            <select value={displayType} onChange={(e) => setDisplayType(e.target.value)}>
              <option value="">The snippet's ({s.display_type})</option>
              {DISPLAY_TYPES.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
            <span className="muted hint">
              This snippet declares no result contract, so its output is read by a display type.
            </span>
          </label>
        ) : null}
        {s ? (
          <fieldset className="stack bindings">
            <legend>Inputs</legend>
            {inputs.length === 0 ? (
              <p className="muted hint">This snippet takes no inputs.</p>
            ) : (
              inputs.map((input) => {
                const filters = dashboard.filter_definitions.filter((f) => fits(input, f));
                const current = choices[input.key] ?? 'unbound';
                return (
                  <label key={input.key}>
                    <span>
                      {input.label} <span className="muted">({label(input.kind)})</span>
                    </span>
                    <select
                      value={current}
                      onChange={(e) => setChoices({ ...choices, [input.key]: e.target.value })}
                    >
                      <option value="unbound">Its default</option>
                      {filters.map((f) => (
                        <option key={f.key} value={`filter:${f.key}`}>
                          The dashboard's {filterLabel(f)} filter
                        </option>
                      ))}
                      {current.startsWith('filter:') &&
                      !filters.some((f) => `filter:${f.key}` === current) ? (
                        <option value={current}>{current.slice(7)} (not a filter of this dashboard)</option>
                      ) : null}
                      {bindings[input.key]?.mode === 'fixed' ? (
                        <option value="fixed">
                          Fixed: {JSON.stringify((bindings[input.key] as { value: unknown }).value)}
                        </option>
                      ) : null}
                    </select>
                  </label>
                );
              })
            )}
            {inputs.length > 0 && dashboard.filter_definitions.length === 0 ? (
              <p className="muted hint">
                This dashboard has no filters to bind; edit mode's “Add a time filter” adds one.
              </p>
            ) : null}
          </fieldset>
        ) : null}
        {edit.isError ? <ErrorBox error={edit.error} title="The change was not saved" /> : null}
        <p className="muted hint" aria-live="polite">
          {edit.isError && changes.length
            ? 'The widget has been read again; Save applies these changes to it as it is now.'
            : changes.length
              ? `Saving changes ${changes.join(', ')}: one new revision.`
              : 'Nothing changed yet.'}
        </p>
        <div className="row">
          <button type="submit" className="primary" disabled={edit.isPending || changes.length === 0}>
            {edit.isPending ? 'Saving…' : 'Save'}
          </button>
          <button type="button" onClick={close}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
