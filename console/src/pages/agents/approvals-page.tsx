/** /approvals: the workspace's approval requests (pending ones by default), each with its session and Approve / Deny. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Time } from '../../ui/format.tsx';
import { Page } from '../../ui/page.tsx';
import { PagedList, usePaged } from '../../ui/paged.tsx';
import { Empty } from '../../ui/states.tsx';
import { ApprovalActions } from './approval-actions.tsx';
import { AgentBadge } from './badges.tsx';
import './agents.css';

type StateFilter = 'PENDING' | 'APPROVED' | 'REJECTED' | 'ALL';

export function ApprovalsPage() {
  const ws = useWorkspaceKey();
  const [state, setState] = useState<StateFilter>('PENDING');
  const approvals = usePaged([ws, 'approvals', { state }], (cursor) =>
    call(
      api.GET('/v1/approval_requests', {
        params: { query: { cursor, limit: 50, ...(state === 'ALL' ? {} : { state }) } },
      }),
    ),
  );
  return (
    <Page
      title="Approvals"
      actions={
        <label className="row">
          State
          <select value={state} onChange={(e) => setState(e.target.value as StateFilter)}>
            <option value="PENDING">pending</option>
            <option value="APPROVED">approved</option>
            <option value="REJECTED">rejected</option>
            <option value="ALL">all</option>
          </select>
        </label>
      }
    >
      <PagedList
        paged={approvals}
        empty={
          <Empty
            title={state === 'PENDING' ? 'Nothing waits for approval' : 'No approval requests'}
            command={`curl -X POST ${location.origin}/v1/agent_turns/<turn id>:emit \\
  -H "authorization: Bearer $ATOLL_TOKEN" -H 'content-type: application/json' -H 'idempotency-key: ask-1' \\
  -d '{"type":"approval_request","data":{"title":"Restart the install","summary":"Restarts every pod."}}'`}
          >
            A running turn asks a human before it acts by emitting an approval request; its turn waits for
            permission until it is resolved here or on its session's page.
          </Empty>
        }
      >
        {(rows) => (
          <ul className="approvals">
            {rows.map((a) => (
              <li key={a.id} className="approval" aria-label={a.title}>
                <div className="approval-head">
                  <strong>{a.title}</strong>
                  {a.state === 'PENDING' ? <AgentBadge state={a.state} /> : null}
                </div>
                <div className="message-text">{a.summary}</div>
                <div className="muted small">
                  <AgentName id={a.agent_id} /> · session{' '}
                  <Link to={`/sessions/${a.session_id}`}>{a.session_id}</Link> · turn <code>{a.turn_id}</code>{' '}
                  · asked <Time value={a.created_at} /> by <code>{a.created_by}</code>
                </div>
                {a.actions.length > 0 ? (
                  <code className="compact-json">{JSON.stringify(a.actions)}</code>
                ) : null}
                <ApprovalActions approval={a} />
              </li>
            ))}
          </ul>
        )}
      </PagedList>
    </Page>
  );
}

function AgentName({ id }: { id: string }) {
  const ws = useWorkspaceKey();
  const agent = useQuery({
    queryKey: [ws, 'agent', id],
    queryFn: () => call(api.GET('/v1/agents/{id}', { params: { path: { id } } })),
  });
  return <Link to={`/agents/${id}`}>{agent.data?.name ?? id}</Link>;
}
