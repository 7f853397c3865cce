/**
 * A dashboard as a page: its filters, Refresh, the widgets laid out on a four-column grid by position,
 * col_span and height, and edit mode (layout controls, edit or add a widget, rename, reset to recommended).
 * Used by /dashboards/:id and by the workspace overview at /.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import { Time } from '../../ui/format.tsx';
import { Page, type Crumb } from '../../ui/page.tsx';
import { Empty, ErrorBox } from '../../ui/states.tsx';
import { AddWidgetForm, WidgetControls } from './edit.tsx';
import { FilterBar, NO_FILTERS, type FilterState } from './filters.tsx';
import { useDashboardMutations, useInvalidateDashboards } from './mutations.ts';
import type { Dashboard } from './types.ts';
import { WidgetCard } from './widget.tsx';
import './dashboards.css';

export function DashboardView({
  dashboard,
  crumbs,
  title,
  extra,
}: {
  dashboard: Dashboard;
  crumbs?: Crumb[];
  title?: ReactNode;
  /** Shown below the grid (the overview lists the other dashboards there). */
  extra?: ReactNode;
}) {
  const [filters, setFilters] = useState<FilterState>(NO_FILTERS);
  const [nonce, setNonce] = useState(0);
  const [editing, setEditing] = useState(false);
  const [adding, setAdding] = useState(false);
  const mutations = useDashboardMutations(dashboard);
  const navigate = useNavigate();
  const invalidate = useInvalidateDashboards();
  const widgets = [...dashboard.widgets].sort((a, b) => a.position - b.position);
  const writeError =
    mutations.patchWidget.error ??
    mutations.removeWidget.error ??
    mutations.addTimeFilter.error ??
    mutations.resetToRecommended.error ??
    mutations.remove.error ??
    mutations.rename.error;

  const reset = () => {
    if (
      widgets.length === 0 ||
      confirm(
        'Replace every widget with the recommended platform metrics? A revision keeps the current ones.',
      )
    ) {
      mutations.resetToRecommended.mutate();
    }
  };

  return (
    <Page
      title={title ?? dashboard.name}
      crumbs={crumbs}
      actions={
        <>
          <button type="button" onClick={() => setNonce((n) => n + 1)} disabled={widgets.length === 0}>
            Refresh
          </button>
          <Link className="button" to={`/dashboards/${dashboard.id}/revisions`}>
            Revisions
          </Link>
          <button
            type="button"
            className={editing ? 'primary' : undefined}
            aria-pressed={editing}
            onClick={() => {
              setEditing(!editing);
              setAdding(false);
            }}
          >
            {editing ? 'Done editing' : 'Edit'}
          </button>
        </>
      }
    >
      {dashboard.description ? <p className="dashboard-description">{dashboard.description}</p> : null}
      <p className="muted dashboard-meta">
        {dashboard.purpose === 'workspace_overview' ? "The workspace's overview dashboard · " : ''}
        {widgets.length} widget{widgets.length === 1 ? '' : 's'} · updated{' '}
        <Time value={dashboard.updated_at} />
      </p>
      <FilterBar
        definitions={dashboard.filter_definitions}
        defaults={dashboard.default_filter_values}
        state={filters}
        onChange={(next) => {
          setFilters(next);
          setNonce(0);
        }}
      />
      {editing ? (
        <section className="edit-panel" aria-label="Edit dashboard">
          <div className="row">
            <button type="button" className="primary" onClick={() => setAdding(true)} disabled={adding}>
              Add widget
            </button>
            <button type="button" onClick={reset} disabled={mutations.resetToRecommended.isPending}>
              Reset to recommended
            </button>
            {dashboard.filter_definitions.some((f) => f.key === 'time') ? null : (
              <button
                type="button"
                onClick={() => mutations.addTimeFilter.mutate()}
                disabled={mutations.addTimeFilter.isPending}
              >
                Add a time filter
              </button>
            )}
            <span className="muted grow">Each change is saved at once as a new revision.</span>
            {dashboard.purpose === 'custom' ? (
              <button
                type="button"
                className="danger"
                disabled={mutations.remove.isPending}
                onClick={() => {
                  if (confirm(`Delete the dashboard "${dashboard.name}" and its history?`)) {
                    mutations.remove.mutate(undefined, {
                      onSuccess: async () => {
                        navigate('/dashboards');
                        await invalidate();
                      },
                    });
                  }
                }}
              >
                Delete dashboard
              </button>
            ) : null}
          </div>
          <Rename dashboard={dashboard} mutations={mutations} />
          {adding ? (
            <AddWidgetForm dashboard={dashboard} mutations={mutations} onDone={() => setAdding(false)} />
          ) : null}
          {writeError ? <ErrorBox error={writeError} title="The change was not saved" /> : null}
        </section>
      ) : null}
      {widgets.length === 0 ? (
        <Empty
          title="No widgets yet"
          command={`curl -s -X POST ${location.origin}/v1/dashboards/${dashboard.id}/widgets -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"snippet_id":"snp_…","col_span":2}'`}
        >
          Widgets show what snippets return and the figures Atoll counts over this workspace.{' '}
          {editing ? null : (
            <>
              <button type="button" className="link" onClick={reset}>
                Add the recommended platform metrics
              </button>{' '}
              or{' '}
              <button
                type="button"
                className="link"
                onClick={() => {
                  setEditing(true);
                  setAdding(true);
                }}
              >
                add a widget
              </button>
              ; or from a terminal:
            </>
          )}
        </Empty>
      ) : (
        <div className={`widget-grid${editing ? ' editing' : ''}`}>
          {widgets.map((w) => (
            <WidgetCard
              key={w.id}
              dashboardId={dashboard.id}
              widget={w}
              filterValues={filters.values}
              refreshNonce={nonce}
              controls={
                editing ? (
                  <WidgetControls
                    widget={w}
                    dashboard={dashboard}
                    count={widgets.length}
                    mutations={mutations}
                  />
                ) : undefined
              }
            />
          ))}
        </div>
      )}
      {extra}
    </Page>
  );
}

function Rename({
  dashboard,
  mutations,
}: {
  dashboard: Dashboard;
  mutations: ReturnType<typeof useDashboardMutations>;
}) {
  const [name, setName] = useState(dashboard.name);
  const [description, setDescription] = useState(dashboard.description ?? '');
  const changed = name.trim() !== dashboard.name || description.trim() !== (dashboard.description ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    mutations.rename.mutate({ name: name.trim(), description: description.trim() });
  };
  return (
    <form className="row rename" onSubmit={submit} aria-label="Name and description">
      <label>
        Name <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label className="grow">
        Description{' '}
        <input maxLength={1000} value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <button type="submit" disabled={!changed || mutations.rename.isPending}>
        Save
      </button>
    </form>
  );
}
