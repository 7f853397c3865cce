/**
 * /dashboards/snippets: the workspace's snippets, paged, newest first, with a tab for the archived ones
 * (`?archived=true`, an Atoll extension of the list) and the way to create one.
 */
import { Link, useSearchParams } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Id, StateBadge, Time } from '../../ui/format.tsx';
import { Page } from '../../ui/page.tsx';
import { PagedList, usePaged } from '../../ui/paged.tsx';
import { Empty } from '../../ui/states.tsx';
import type { Snippet } from './types.ts';
import './snippets.css';

const CREATE_COMMAND = `curl -s -X POST ${location.origin}/v1/snippets \\
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
  -d '{"name":"Hello","display_type":"json","code":"async (inputs) => { console.log(\\"hi\\"); return { hello: \\"world\\" }; }"}'`;

export function SnippetListPage() {
  const [params, setParams] = useSearchParams();
  const archived = params.get('archived') === 'true';
  const ws = useWorkspaceKey();
  const paged = usePaged<Snippet>([ws, 'snippets', { archived }], (cursor) =>
    call(
      api.GET('/v1/snippets', {
        params: { query: { cursor, limit: 25, ...(archived ? { archived: 'true' as const } : {}) } },
      }),
    ),
  );
  return (
    <Page
      title="Snippets"
      actions={
        <Link className="button primary" to="/dashboards/snippets/new">
          New snippet
        </Link>
      }
    >
      <div className="tabs" role="tablist" aria-label="Which snippets">
        <button role="tab" aria-selected={!archived} onClick={() => setParams({}, { replace: true })}>
          Active
        </button>
        <button
          role="tab"
          aria-selected={archived}
          onClick={() => setParams({ archived: 'true' }, { replace: true })}
        >
          Archived
        </button>
      </div>
      <PagedList
        paged={paged}
        empty={
          archived ? (
            <Empty title="No archived snippets">
              Archiving a snippet (its page's Archive button, or DELETE /v1/snippets/&#123;id&#125;) keeps it
              and its runs; it then shows here.
            </Empty>
          ) : (
            <Empty title="No snippets yet" command={CREATE_COMMAND}>
              A snippet is an async JavaScript function run in a sandboxed V8 isolate, with platform.request()
              to call this API. Create one here with New snippet, or from a terminal:
            </Empty>
          )
        }
      >
        {(rows) => (
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Display</th>
                <th>Inputs</th>
                <th>Origin</th>
                <th>{archived ? 'Archived' : 'Updated'}</th>
                <th>ID</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.id}>
                  <td>
                    <Link to={`/dashboards/snippets/${s.id}`}>{s.name}</Link>
                    {s.description ? <div className="muted snippet-desc">{s.description}</div> : null}
                  </td>
                  <td>
                    <span className="badge">{s.display_type}</span>
                  </td>
                  <td>
                    {s.inputs.length === 0 ? (
                      <span className="muted">none</span>
                    ) : (
                      s.inputs.map((i) => i.key).join(', ')
                    )}
                  </td>
                  <td>{s.origin}</td>
                  <td>
                    {archived ? (
                      <>
                        <StateBadge state="archived" /> <Time value={s.archived_at} />
                      </>
                    ) : (
                      <Time value={s.updated_at} />
                    )}
                  </td>
                  <td>
                    <Id>{s.id}</Id>
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
