/** A job deployment's runs, newest first, paged, filterable by status; refreshed while any is live. */
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Id, Time } from '../../ui/format.tsx';
import { Section } from '../../ui/page.tsx';
import { PagedList, usePaged } from '../../ui/paged.tsx';
import { Empty } from '../../ui/states.tsx';
import { duration, FamilyState, runEnded, startRunCommand, type Deployment, type Run } from './family.tsx';
import { useRefetchWhile } from './live.ts';

const STATUSES: Run['status'][] = [
  'queued',
  'starting',
  'installing',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'timed_out',
];

export function RunsSection({ deployment }: { deployment: Deployment }) {
  const ws = useWorkspaceKey();
  const [status, setStatus] = useState<Run['status'] | ''>('');
  const paged = usePaged<Run>([ws, 'agent-runs', deployment.id, status], (cursor) =>
    call(
      api.GET('/v1/agent-deployments/{deployment_id}/runs', {
        params: {
          path: { deployment_id: deployment.id },
          query: { limit: 25, ...(cursor ? { cursor } : {}), ...(status ? { status } : {}) },
        },
      }),
    ),
  );
  useRefetchWhile(
    paged.rows.some((r) => !runEnded(r)),
    paged.refetch,
  );
  return (
    <Section
      title="Runs"
      actions={
        <label className="row">
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value as Run['status'] | '')}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replaceAll('_', ' ')}
              </option>
            ))}
          </select>
        </label>
      }
    >
      <PagedList
        paged={paged}
        empty={
          <Empty
            title={status ? `No ${status.replaceAll('_', ' ')} runs` : 'No runs yet'}
            command={deployment.active_version_id ? startRunCommand(deployment.id) : undefined}
          >
            {deployment.active_version_id
              ? 'Start a run with its input (JSON) and envs (write-only):'
              : 'Upload a version first (npm exec atoll -- agent deploy <dir>); runs use the active version.'}
          </Empty>
        }
      >
        {(rows) => (
          <table className="table">
            <thead>
              <tr>
                <th>Run</th>
                <th>Status</th>
                <th>Exit</th>
                <th>Duration</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link to={`/deployments/${deployment.id}/runs/${r.id}`}>
                      <Id>{r.id}</Id>
                    </Link>
                  </td>
                  <td>
                    <FamilyState state={r.status} />
                    {r.failure_reason ? <div className="muted small clip">{r.failure_reason}</div> : null}
                  </td>
                  <td>{r.exit_code ?? <span className="muted">—</span>}</td>
                  <td className="num">{r.started_at ? duration(r.started_at, r.completed_at) : '—'}</td>
                  <td>
                    <Time value={r.created_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </PagedList>
    </Section>
  );
}
