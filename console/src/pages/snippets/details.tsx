/** A snippet's metadata and where it is used (dashboards with a widget of it, how often it ran). */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Id, StateBadge, Time } from '../../ui/format.tsx';
import { ErrorBox } from '../../ui/states.tsx';
import type { Contract, Snippet } from './types.ts';

export function SnippetDetails({ snippet }: { snippet: Snippet }) {
  const ws = useWorkspaceKey();
  const contract = snippet as Snippet & Partial<Contract>;
  const usage = useQuery({
    queryKey: [ws, 'snippet-usage', snippet.id],
    queryFn: () => call(api.GET('/v1/snippets/{id}:usage', { params: { path: { id: snippet.id } } })),
  });
  return (
    <dl className="props">
      <dt>ID</dt>
      <dd>
        <Id>{snippet.id}</Id>
      </dd>
      <dt>Created</dt>
      <dd>
        <Time value={snippet.created_at} /> by <Id>{snippet.created_by}</Id>
      </dd>
      <dt>Updated</dt>
      <dd>
        <Time value={snippet.updated_at} />
      </dd>
      {snippet.archived_at !== null ? (
        <>
          <dt>Archived</dt>
          <dd>
            <StateBadge state="archived" /> <Time value={snippet.archived_at} />
          </dd>
        </>
      ) : null}
      <dt>Origin · visibility · purpose</dt>
      <dd>
        {snippet.origin} · {snippet.visibility} · {snippet.purpose}
      </dd>
      <dt>Result contract</dt>
      <dd>
        {contract.result_contract_version == null ? (
          <span className="muted">none (any JSON output)</span>
        ) : (
          `v${contract.result_contract_version}: ${contract.result_type}, shown as ${contract.default_visualization}`
        )}
      </dd>
      <dt>Used by</dt>
      <dd>
        {usage.isPending ? (
          <span className="muted">…</span>
        ) : usage.isError ? (
          <ErrorBox error={usage.error} />
        ) : usage.data.dashboard_count === 0 ? (
          <span className="muted">no dashboard</span>
        ) : (
          usage.data.dashboards.map((d, i) => (
            <span key={d.id}>
              {i > 0 ? ', ' : ''}
              <Link to={`/dashboards/${d.id}`}>{d.name}</Link>
            </span>
          ))
        )}
      </dd>
      <dt>Runs</dt>
      <dd>{usage.data ? usage.data.run_count : <span className="muted">…</span>}</dd>
    </dl>
  );
}
