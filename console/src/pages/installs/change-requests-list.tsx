/** /repository_change_requests: proposed changes to installs' repositories, newest first, paged, by state. */
import { Link, useSearchParams } from 'react-router';
import type { Schema } from '@atoll/client';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Time } from '../../ui/format.tsx';
import { Page } from '../../ui/page.tsx';
import { PagedList, usePaged } from '../../ui/paged.tsx';
import { Empty } from '../../ui/states.tsx';
import { State } from './common.tsx';
import { RepositoryInstall } from './repository-install.tsx';

type CrState = Schema<'RepositoryChangeRequest'>['state'];
const STATES: CrState[] = [
  'AWAITING_CHANGES',
  'READY',
  'VALIDATING',
  'FAILED',
  'ACCEPTED',
  'REJECTED',
  'WITHDRAWN',
  'EXPIRED',
];

const CREATE = `curl -s -X POST $ATOLL_URL/v1/repository_change_requests -H "Authorization: Bearer $TOKEN" \\
  -H 'Content-Type: application/json' -H "idempotency-key: $(uuidgen)" \\
  -d '{"kind":"user","parent_repository_id":"repo_…"}'`;

export function ChangeRequestsPage() {
  const ws = useWorkspaceKey();
  const [params, setParams] = useSearchParams();
  const state = (params.get('state') || undefined) as CrState | undefined;
  const paged = usePaged([ws, 'change-requests', state], (cursor) =>
    call(
      api.GET('/v1/repository_change_requests', {
        params: { query: { limit: 50, ...(state ? { state } : {}), ...(cursor ? { cursor } : {}) } },
      }),
    ),
  );
  return (
    <Page
      title="Change requests"
      actions={
        <label>
          State{' '}
          <select
            value={state ?? ''}
            onChange={(e) => setParams(e.target.value ? { state: e.target.value } : {})}
          >
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s.toLowerCase().replaceAll('_', ' ')}
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
            title={state ? 'No change requests in this state' : 'No change requests yet'}
            command={CREATE}
          >
            A change request forks an install's repository: push an edited inputs.yaml or package.yaml to the
            fork, then accept it to render and merge. Open one with “Propose a change” on an install, or:
          </Empty>
        }
      >
        {(rows) => (
          <table className="table installs-table">
            <thead>
              <tr>
                <th>Change request</th>
                <th>State</th>
                <th>Change</th>
                <th>Install</th>
                <th>By</th>
                <th>Updated</th>
                <th>Expires</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link to={`/repository_change_requests/${r.id}`}>
                      <code>{r.id}</code>
                    </Link>
                  </td>
                  <td>
                    <State state={r.state} />
                  </td>
                  <td>{r.change_type.replaceAll('_', ' ')}</td>
                  <td>
                    <RepositoryInstall repositoryId={r.parent_repository_id} />
                  </td>
                  <td>{r.created_by_type}</td>
                  <td>
                    <Time value={r.updated_at} />
                  </td>
                  <td>
                    <Time value={r.expires_at} />
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
