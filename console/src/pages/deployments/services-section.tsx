/** A service deployment's instances, newest first, paged; refreshed while any is live. */
import { Link } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Id, Time } from '../../ui/format.tsx';
import { Section } from '../../ui/page.tsx';
import { PagedList, usePaged } from '../../ui/paged.tsx';
import { Empty } from '../../ui/states.tsx';
import { FamilyState, serviceEnded, startServiceCommand, type Deployment, type Service } from './family.tsx';
import { useRefetchWhile } from './live.ts';

export function ServicesSection({ deployment }: { deployment: Deployment }) {
  const ws = useWorkspaceKey();
  const paged = usePaged<Service>([ws, 'agent-services', deployment.id], (cursor) =>
    call(
      api.GET('/v1/agent-deployments/{deployment_id}/services', {
        params: {
          path: { deployment_id: deployment.id },
          query: { limit: 25, ...(cursor ? { cursor } : {}) },
        },
      }),
    ),
  );
  useRefetchWhile(
    paged.rows.some((s) => !serviceEnded(s)),
    paged.refetch,
  );
  return (
    <Section title="Service instances">
      <PagedList
        paged={paged}
        empty={
          <Empty
            title="No service instances yet"
            command={deployment.active_version_id ? startServiceCommand(deployment.id) : undefined}
          >
            {deployment.active_version_id
              ? 'Start an instance of the active version (envs are write-only):'
              : 'Upload a version first (npm exec atoll -- agent deploy <dir>); instances use the active version.'}
          </Empty>
        }
      >
        {(rows) => (
          <table className="table">
            <thead>
              <tr>
                <th>Instance</th>
                <th>Status</th>
                <th>Port</th>
                <th>Generation</th>
                <th>Started</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.id}>
                  <td>
                    <Link to={`/deployments/${deployment.id}/services/${s.id}`}>
                      <Id>{s.id}</Id>
                    </Link>
                  </td>
                  <td>
                    <FamilyState state={s.status} />
                    {s.failure_reason ? <div className="muted small clip">{s.failure_reason}</div> : null}
                  </td>
                  <td>{s.port}</td>
                  <td>{s.generation}</td>
                  <td>
                    <Time value={s.started_at} />
                  </td>
                  <td>
                    <Time value={s.created_at} />
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
