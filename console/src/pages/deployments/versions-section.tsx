/** A deployment's versions, newest first, paged: each one's state and what its bundle holds. */
import { Link } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { bytes, Time } from '../../ui/format.tsx';
import { Section } from '../../ui/page.tsx';
import { PagedList, usePaged } from '../../ui/paged.tsx';
import { Empty } from '../../ui/states.tsx';
import { FamilyState, type Deployment, type Version } from './family.tsx';

export function VersionsSection({ deployment }: { deployment: Deployment }) {
  const ws = useWorkspaceKey();
  const paged = usePaged<Version>([ws, 'agent-versions', deployment.id], (cursor) =>
    call(
      api.GET('/v1/agent-deployments/{deployment_id}/versions', {
        params: {
          path: { deployment_id: deployment.id },
          query: { limit: 25, ...(cursor ? { cursor } : {}) },
        },
      }),
    ),
  );
  return (
    <Section title="Versions">
      <PagedList
        paged={paged}
        empty={
          <Empty
            title="No versions yet"
            command={`npm exec atoll -- agent deploy <dir>   # with name = "${deployment.name}" in atoll.agent.toml`}
          >
            Each deploy uploads the agent directory as a new immutable version and makes it active.
          </Empty>
        }
      >
        {(rows) => (
          <table className="table">
            <thead>
              <tr>
                <th>Version</th>
                <th>Status</th>
                <th>Bundle</th>
                <th>Entrypoint</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((v) => {
                const excluded = v.bundle_manifest.entries.filter((e) => !e.included).length;
                return (
                  <tr key={v.id}>
                    <td>
                      <Link to={`/deployments/${deployment.id}/versions/${v.id}`}>v{v.version_number}</Link>
                      {v.id === deployment.active_version_id ? (
                        <span className="badge info tag">active</span>
                      ) : null}
                    </td>
                    <td>
                      <FamilyState state={v.status} />
                    </td>
                    <td>
                      {v.bundle_manifest.file_count} file{v.bundle_manifest.file_count === 1 ? '' : 's'},{' '}
                      {bytes(v.bundle_manifest.total_size)}
                      {excluded > 0 ? <span className="muted">, {excluded} left out</span> : null}
                    </td>
                    <td>
                      <code className="clip">{v.config.entrypoint}</code>
                    </td>
                    <td>
                      <Time value={v.created_at} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </PagedList>
    </Section>
  );
}
