/** /deployments: the workspace's agent deployments, newest first, paged; deleted ones on request. */
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Time, Id } from '../../ui/format.tsx';
import { Page } from '../../ui/page.tsx';
import { PagedList, usePaged } from '../../ui/paged.tsx';
import { Empty } from '../../ui/states.tsx';
import { DEPLOY_COMMAND, FamilyState, type Deployment } from './family.tsx';
import './deployments.css';

type StatusFilter = '' | 'active' | 'paused' | 'deleted';

export function DeploymentList() {
  const ws = useWorkspaceKey();
  const [status, setStatus] = useState<StatusFilter>('');
  const paged = usePaged<Deployment>([ws, 'agent-deployments', status], (cursor) =>
    call(
      api.GET('/v1/agent-deployments', {
        params: { query: { limit: 50, ...(cursor ? { cursor } : {}), ...(status ? { status } : {}) } },
      }),
    ),
  );
  return (
    <Page
      title="Deployments"
      actions={
        <label className="row">
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value as StatusFilter)}>
            <option value="">not deleted</option>
            <option value="active">active</option>
            <option value="paused">paused</option>
            <option value="deleted">deleted</option>
          </select>
        </label>
      }
    >
      <p className="muted lead">
        Agents uploaded as bundles, run in bubblewrap sandboxes as jobs (runs) or as long-lived services.
      </p>
      <PagedList
        paged={paged}
        empty={
          <Empty
            title={status === 'deleted' ? 'No deleted deployments' : 'No deployments yet'}
            command={DEPLOY_COMMAND}
          >
            Deploy an agent directory holding an atoll.agent.toml: the command bundles it, creates the
            deployment and uploads the bundle as its first version.
          </Empty>
        }
      >
        {(rows) => (
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Mode</th>
                <th>Status</th>
                <th>Active version</th>
                <th>Updated</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((d) => (
                <tr key={d.id}>
                  <td>
                    <Link to={`/deployments/${d.id}`}>{d.name}</Link>
                    <div>
                      <Id>{d.id}</Id>
                    </div>
                  </td>
                  <td>{d.mode}</td>
                  <td>
                    <FamilyState state={d.status} />
                  </td>
                  <td>
                    {d.active_version_id ? (
                      <Id>{d.active_version_id}</Id>
                    ) : (
                      <span className="muted">none</span>
                    )}
                  </td>
                  <td>
                    <Time value={d.updated_at} />
                  </td>
                  <td>
                    <Time value={d.created_at} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </PagedList>
    </Page>
  );
}
