/** /installs: the workspace's installs with their state, newest first, paged. */
import { Link } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Id, Time } from '../../ui/format.tsx';
import { Page } from '../../ui/page.tsx';
import { PagedList, usePaged } from '../../ui/paged.tsx';
import { Empty } from '../../ui/states.tsx';
import { PackageLink, State, VersionLabel } from './common.tsx';

const CREATE = `curl -s -X POST $ATOLL_URL/v1/installs -H "Authorization: Bearer $TOKEN" \\
  -H 'Content-Type: application/json' \\
  -d '{"package_id":"pkg_…","package_version_pin":{"kind":"latest"},"region_id":"local","initial_values":{}}'`;

export function InstallsPage() {
  const ws = useWorkspaceKey();
  const paged = usePaged([ws, 'installs'], (cursor) =>
    call(api.GET('/v1/installs', { params: { query: { limit: 50, ...(cursor ? { cursor } : {}) } } })),
  );
  return (
    <Page title="Installs">
      <PagedList
        paged={paged}
        empty={
          <Empty title="No installs yet" command={CREATE}>
            An install deploys a package version with a set of values: each render commits the manifests to
            the install's git repository, which Argo CD or Flux syncs. Install from a package's page, or:
          </Empty>
        }
      >
        {(rows) => (
          <table className="table installs-table">
            <thead>
              <tr>
                <th>Install</th>
                <th>State</th>
                <th>Package</th>
                <th>Version</th>
                <th>Region</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((i) => (
                <tr key={i.id}>
                  <td>
                    <Link to={`/installs/${i.id}`}>
                      <code>{i.id}</code>
                    </Link>
                  </td>
                  <td>
                    <span className="row tight">
                      <State state={i.state} />
                      {i.reconciling ? <span className="badge info">reconciling</span> : null}
                    </span>
                  </td>
                  <td>
                    <PackageLink id={i.package_id} />
                  </td>
                  <td>
                    <VersionLabel packageId={i.package_id} versionId={i.package_version_id} />
                    {i.package_version_pin.kind === 'latest' ? (
                      <span className="muted"> (latest)</span>
                    ) : null}
                  </td>
                  <td>{i.region_id}</td>
                  <td>
                    <Time value={i.updated_at} />
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
