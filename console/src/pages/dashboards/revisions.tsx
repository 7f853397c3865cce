/**
 * /dashboards/:id/revisions — the dashboard's history, newest first (paged): when, who, how (manual,
 * restore, reset…), the summary and what changed; and Restore, which makes an old revision's definition
 * current as a new revision (if-match on the dashboard's etag). A revision whose snippets are archived
 * or gone cannot be restored, and says so.
 */
import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { api, call, newIdempotencyKey, useWorkspaceKey } from '../../api.ts';
import { Id, Time } from '../../ui/format.tsx';
import { Page, Section } from '../../ui/page.tsx';
import { PagedList, usePaged } from '../../ui/paged.tsx';
import { Empty, ErrorBox, Loading } from '../../ui/states.tsx';
import { useDashboard } from './dashboard-page.tsx';
import { useInvalidateDashboards } from './mutations.ts';
import { metricOf, type Dashboard, type Revision } from './types.ts';
import './dashboards.css';

export function Revisions() {
  const id = useParams().id!;
  const ws = useWorkspaceKey();
  const dashboard = useDashboard(id);
  const paged = usePaged<Revision>([ws, 'dashboards', 'revisions', id], (cursor) =>
    call(
      api.GET('/v1/dashboards/{id}/revisions', { params: { path: { id }, query: { cursor, limit: 25 } } }),
    ),
  );
  const name = dashboard.data?.name ?? id;
  return (
    <Page
      title={`Revisions of ${name}`}
      crumbs={[
        { label: 'Dashboards', to: '/dashboards' },
        { label: name, to: `/dashboards/${id}` },
        { label: 'Revisions' },
      ]}
      actions={<Link to={`/dashboards/${id}`}>Back to the dashboard</Link>}
    >
      {dashboard.isError ? <ErrorBox error={dashboard.error} /> : null}
      <Section title="History">
        {dashboard.isPending ? (
          <Loading what="the dashboard" />
        ) : (
          <PagedList
            paged={paged}
            empty={
              <Empty title="No revisions">
                Every change to a dashboard writes one; this one has none yet.
              </Empty>
            }
          >
            {(rows) => (
              <ol className="revisions">
                {rows.map((r) => (
                  <RevisionItem key={r.id} revision={r} dashboard={dashboard.data} />
                ))}
              </ol>
            )}
          </PagedList>
        )}
      </Section>
    </Page>
  );
}

/** The names of the workspace's live API tokens by id: who made a revision, when a token made it. */
function useTokenNames() {
  const ws = useWorkspaceKey();
  return useQuery({
    queryKey: [ws, 'api-token-names'],
    queryFn: async () => {
      const page = await call(api.GET('/v1/api_tokens', { params: { query: { limit: 100 } } }));
      return new Map(page.data.map((t) => [t.id, t.name]));
    },
    staleTime: 5 * 60_000,
  }).data;
}

function Author({ id }: { id: string }) {
  const name = useTokenNames()?.get(id);
  return name ? <span title={id}>token “{name}”</span> : <Id>{id}</Id>;
}

/** The generated summary ("Change widget wgt_…") with widget ids replaced by their titles where known. */
function readable(summary: string, titles: Map<string, string>): string {
  return summary.replace(/wgt_[a-z0-9]+/g, (id) => (titles.has(id) ? `“${titles.get(id)}”` : id));
}

function RevisionItem({ revision: r, dashboard }: { revision: Revision; dashboard: Dashboard | undefined }) {
  const invalidate = useInvalidateDashboards();
  const current = dashboard?.active_revision_id === r.id;
  const blocked = r.snippet_etag_drift.filter((d) => d.restore_action === 'blocked');
  const restore = useMutation({
    mutationFn: (etag: string) =>
      call(
        api.POST('/v1/dashboards/{id}/revisions/{revision_id}:restore', {
          params: {
            path: { id: r.dashboard_id, revision_id: r.id },
            header: { 'if-match': etag, 'idempotency-key': newIdempotencyKey() },
          },
          body: { summary: `Restore ${r.id}` },
        }),
      ),
    onSettled: () => invalidate(),
  });
  const diff = r.structural_diff;
  const titles = new Map<string, string>();
  for (const w of [...(dashboard?.widgets ?? []).map((w) => ({ ...w, widget_id: w.id })), ...r.widgets]) {
    titles.set(
      w.widget_id,
      w.title ??
        (w.widget_type === 'platform_metric'
          ? (metricOf(w.metric_key)?.title ?? w.metric_key)
          : w.snippet_id),
    );
  }
  const changes = diff
    ? [
        diff.dashboard_fields.length
          ? `changed ${diff.dashboard_fields.join(', ').replaceAll('_', ' ')}`
          : '',
        diff.widgets.added.count ? `${diff.widgets.added.count} widget(s) added` : '',
        diff.widgets.removed.count ? `${diff.widgets.removed.count} removed` : '',
        diff.widgets.changed.count
          ? `${diff.widgets.changed.count} changed (${[...new Set(diff.widgets.changed.widgets.flatMap((w) => w.fields))].join(', ').replaceAll('_', ' ')})`
          : '',
      ].filter(Boolean)
    : [];
  return (
    <li className={`revision${current ? ' current' : ''}`} aria-label={`Revision ${r.id}`}>
      <div className="revision-head">
        <span
          className={`badge ${r.source === 'restore' ? 'info' : r.source === 'reset' ? 'wait' : 'neutral'}`}
        >
          {r.source}
        </span>
        <strong>
          {r.summary ? readable(r.summary, titles) : r.parent_revision_id ? 'No summary' : 'Created'}
        </strong>
        {current ? <span className="badge ok">current</span> : null}
      </div>
      <div className="muted revision-meta">
        <Time value={r.created_at} /> · by <Author id={r.author_id} /> · <Id>{r.id}</Id>
        {r.restored_from_revision_id ? (
          <>
            {' '}
            · restored from <Id>{r.restored_from_revision_id}</Id>
          </>
        ) : null}
      </div>
      <div className="revision-body">
        <span>{changes.length ? changes.join('; ') : diff ? 'No structural change' : 'First revision'}</span>
        <details>
          <summary>
            {r.widgets.length} widget{r.widgets.length === 1 ? '' : 's'}
          </summary>
          <ol className="revision-widgets">
            {[...r.widgets]
              .sort((a, b) => a.position - b.position)
              .map((w) => (
                <li key={w.widget_id}>
                  {titles.get(w.widget_id)}{' '}
                  <span className="muted">
                    ({w.widget_type === 'platform_metric' ? 'metric' : 'snippet'}, {w.col_span}/4, {w.height})
                  </span>
                </li>
              ))}
          </ol>
        </details>
      </div>
      {blocked.length ? (
        <p className="muted">
          Cannot be restored: snippet{blocked.length === 1 ? '' : 's'}{' '}
          {blocked.map((b) => `${b.snippet_id} (${b.current_state})`).join(', ')} no longer active, and a
          restore never reactivates one.
        </p>
      ) : null}
      {restore.isError ? <ErrorBox error={restore.error} title="Restore failed" /> : null}
      {restore.isSuccess ? <p role="status">Restored as revision {restore.data.id}.</p> : null}
      {!current && dashboard ? (
        <div className="revision-action">
          <button
            type="button"
            disabled={restore.isPending || blocked.length > 0}
            aria-label={`Restore revision ${r.id}`}
            onClick={() => restore.mutate(dashboard.etag)}
          >
            {restore.isPending ? 'Restoring…' : 'Restore'}
          </button>
        </div>
      ) : null}
    </li>
  );
}
