/** /packages: the workspace's packages, newest first, paged; the publish command when there are none. */
import { Link } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Id, Time } from '../../ui/format.tsx';
import { Page } from '../../ui/page.tsx';
import { PagedList, usePaged } from '../../ui/paged.tsx';
import { Empty } from '../../ui/states.tsx';
import { VersionLabel } from './common.tsx';

function sourceKind(sources: Array<Record<string, unknown>> | null | undefined): string {
  const kind = sources?.at(-1)?.kind;
  return kind === 'helm' ? 'Helm chart' : kind === 'artifact' ? 'JS program' : '—';
}

export function PackagesPage() {
  const ws = useWorkspaceKey();
  const paged = usePaged([ws, 'packages'], (cursor) =>
    call(
      api.GET('/v1/packages', {
        params: { query: { view: 'full', limit: 50, ...(cursor ? { cursor } : {}) } },
      }),
    ),
  );
  return (
    <Page title="Packages">
      <PagedList
        paged={paged}
        empty={
          <Empty
            title="No packages yet"
            command="npm exec atoll -- package publish examples/packages/hello-web"
          >
            A package is a versioned recipe for Kubernetes manifests: a JS render program or a Helm chart.
            Publish one from a directory holding atoll.package.json, inputs.schema.json and render.js.
          </Empty>
        }
      >
        {(rows) => (
          <table className="table installs-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Kind</th>
                <th>Latest version</th>
                <th>Versions</th>
                <th>Created</th>
                <th>ID</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.id}>
                  <td>
                    <Link to={`/packages/${p.id}`}>{p.name}</Link>
                  </td>
                  <td>{sourceKind(p.composed_from_sources)}</td>
                  <td>
                    <VersionLabel packageId={p.id} versionId={p.latest_version_id} />
                  </td>
                  <td>{p.composed_from_sources?.length ?? '—'}</td>
                  <td>
                    <Time value={p.created_at} />
                  </td>
                  <td>
                    <Id>{p.id}</Id>
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
