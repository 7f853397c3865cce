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
import type { Snippet, SnippetUsage } from './types.ts';

type Row = Snippet & { usage?: SnippetUsage | undefined };
const PAGE = 25;
import './snippets.css';

const CREATE_COMMAND = `curl -s -X POST ${location.origin}/v1/snippets \\
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
  -d '{"name":"Hello","display_type":"json","code":"async (inputs) => { console.log(\\"hi\\"); return { hello: \\"world\\" }; }"}'`;

export function SnippetListPage() {
  const [params, setParams] = useSearchParams();
  const archived = params.get('archived') === 'true';
  const ws = useWorkspaceKey();
  // The usage list pages exactly like the active list (same order, cursor and limit), so each page of
  // active snippets is read with its usage beside it; archived snippets have no usage list.
  const paged = usePaged<Row>([ws, 'snippets', { archived }], async (cursor) => {
    const query = { cursor, limit: PAGE };
    if (archived) return call(api.GET('/v1/snippets', { params: { query: { ...query, archived: 'true' } } }));
    const [page, usage] = await Promise.all([
      call(api.GET('/v1/snippets', { params: { query } })),
      call(api.GET('/v1/snippets:usage', { params: { query } })).catch(() => undefined),
    ]);
    const byId = new Map((usage?.data ?? []).map((u) => [u.snippet_id, u]));
    return { ...page, data: page.data.map((s) => ({ ...s, usage: byId.get(s.id) })) };
  });
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
                {archived ? null : <th>Last run</th>}
                {archived ? null : <th>Runs</th>}
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
                  {archived ? null : <LastRun usage={s.usage} />}
                  {archived ? null : <td className="num">{s.usage?.run_count ?? '—'}</td>}
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

function LastRun({ usage }: { usage: SnippetUsage | undefined }) {
  if (!usage)
    return (
      <td>
        <span className="muted" title="The usage of this snippet could not be read">
          —
        </span>
      </td>
    );
  const last = usage.last_run;
  if (!last)
    return (
      <td>
        <span className="muted">never</span>
      </td>
    );
  return (
    <td>
      <StateBadge state={last.state} /> <Time value={last.created_at} />
    </td>
  );
}
