/** A snippet's run history, newest first, paged, filterable by state; each run opens its own page. */
import { useId, useState } from 'react';
import { Link } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { bytes, StateBadge, Time } from '../../ui/format.tsx';
import { PagedList, usePaged } from '../../ui/paged.tsx';
import { Empty } from '../../ui/states.tsx';
import { ms } from './run-view.tsx';
import type { SnippetRun } from './types.ts';

type StateFilter = '' | 'succeeded' | 'failed' | 'timed_out';

export function RunHistory({ snippetId }: { snippetId: string }) {
  const ws = useWorkspaceKey();
  const id = useId();
  const [state, setState] = useState<StateFilter>('');
  const paged = usePaged<SnippetRun>([ws, 'snippet-runs', snippetId, { state }], (cursor) =>
    call(
      api.GET('/v1/snippets/{id}/runs', {
        params: { path: { id: snippetId }, query: { cursor, limit: 20, ...(state ? { state } : {}) } },
      }),
    ),
  );
  return (
    <div className="stack">
      <div className="row">
        <label htmlFor={id}>State</label>
        <select id={id} value={state} onChange={(e) => setState(e.target.value as StateFilter)}>
          <option value="">all</option>
          <option value="succeeded">succeeded</option>
          <option value="failed">failed</option>
          <option value="timed_out">timed out</option>
        </select>
      </div>
      <PagedList
        paged={paged}
        empty={
          <Empty
            title={state ? `No ${state.replace('_', ' ')} runs` : 'No runs yet'}
            command={`curl -s -X POST ${location.origin}/v1/snippets/${snippetId}/runs \\
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
  -d '{"inputs":{}}'`}
          >
            Every run (from here, a dashboard, an agent or the API) is recorded once it ends. Run it above,
            or:
          </Empty>
        }
      >
        {(rows) => (
          <table className="table" aria-label="Run history">
            <thead>
              <tr>
                <th>Run</th>
                <th>State</th>
                <th>Source</th>
                <th>Duration</th>
                <th>CPU</th>
                <th>Heap</th>
                <th>Inputs</th>
                <th>When</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link to={`/dashboards/snippets/${snippetId}/runs/${r.id}`}>
                      <code>{r.id}</code>
                    </Link>
                  </td>
                  <td>
                    <StateBadge state={r.state} />
                  </td>
                  <td>{r.source.replaceAll('_', ' ')}</td>
                  <td className="num">{ms(r.duration_ms)}</td>
                  <td className="num">{ms(r.stats.cpu_time_ms)}</td>
                  <td className="num">{bytes(r.stats.heap_used_bytes)}</td>
                  <td className="inputs-cell">
                    {Object.keys(r.inputs).length === 0 ? (
                      <span className="muted">none</span>
                    ) : (
                      <code>{JSON.stringify(r.inputs)}</code>
                    )}
                  </td>
                  <td>
                    <Time value={r.created_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </PagedList>
    </div>
  );
}
