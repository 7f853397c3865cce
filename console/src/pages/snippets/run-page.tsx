/** /dashboards/snippets/{id}/runs/{run_id}: one recorded run, in full (output, error, console, stats). */
import { useQuery } from '@tanstack/react-query';
import { useParams } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Page } from '../../ui/page.tsx';
import { ErrorBox, Loading } from '../../ui/states.tsx';
import { RunView } from './run-view.tsx';
import './snippets.css';

export function SnippetRunPage() {
  const { id = '', runId = '' } = useParams();
  const ws = useWorkspaceKey();
  const run = useQuery({
    queryKey: [ws, 'snippet-run', runId],
    queryFn: () =>
      call(api.GET('/v1/snippets/{id}/runs/{run_id}', { params: { path: { id, run_id: runId } } })),
    staleTime: Infinity, // a run never changes once recorded
  });
  const crumbs = [
    { label: 'Snippets', to: '/dashboards/snippets' },
    { label: run.data?.snippet_name ?? id, to: `/dashboards/snippets/${id}` },
    { label: runId },
  ];
  return (
    <Page title={`Run of ${run.data?.snippet_name ?? 'snippet'}`} crumbs={crumbs}>
      {run.isPending ? (
        <Loading what="run" />
      ) : run.isError ? (
        <ErrorBox error={run.error} />
      ) : (
        <section className="section">
          <RunView run={run.data} />
        </section>
      )}
    </Page>
  );
}
