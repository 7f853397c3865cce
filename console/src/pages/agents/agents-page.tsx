/** /agents: the workspace's agents, newest first (archived ones included), and the form creating one. */
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Time } from '../../ui/format.tsx';
import { Page, Section } from '../../ui/page.tsx';
import { PagedList, usePaged } from '../../ui/paged.tsx';
import { Empty } from '../../ui/states.tsx';
import { AgentBadge } from './badges.tsx';
import { CreateAgent } from './create-agent.tsx';
import { curlPost } from './curl.ts';
import './agents.css';

export function AgentsPage() {
  const ws = useWorkspaceKey();
  const [creating, setCreating] = useState(false);
  const agents = usePaged([ws, 'agents'], (cursor) =>
    call(api.GET('/v1/agents', { params: { query: { cursor, limit: 50 } } })),
  );
  return (
    <Page
      title="Agents"
      actions={
        creating ? null : (
          <button className="primary" onClick={() => setCreating(true)}>
            New agent
          </button>
        )
      }
    >
      {creating ? (
        <Section title="New agent">
          <CreateAgent onCancel={() => setCreating(false)} />
        </Section>
      ) : null}
      <PagedList
        paged={agents}
        empty={
          <Empty
            title="No agents yet"
            command={curlPost('/v1/agents', {
              name: 'Cluster doctor',
              instructions: 'Keep clusters healthy.',
              capabilities: ['CHAT'],
            })}
          >
            An agent is a named set of instructions and capabilities. Create one with New agent, or through
            the API:
          </Empty>
        }
      >
        {(rows) => (
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>State</th>
                <th>Capabilities</th>
                <th>Runtime</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <tr key={a.id}>
                  <td>
                    <Link to={`/agents/${a.id}`}>{a.name}</Link>
                    {a.description ? <div className="muted clamp">{a.description}</div> : null}
                  </td>
                  <td>
                    <AgentBadge state={a.state} />
                  </td>
                  <td>{a.capabilities.join(', ')}</td>
                  <td>
                    {a.runtime_deployment_id ? (
                      <Link to={`/deployments/${a.runtime_deployment_id}`}>
                        <code>{a.runtime_deployment_id}</code>
                      </Link>
                    ) : (
                      <span className="muted">none</span>
                    )}
                  </td>
                  <td>
                    <Time value={a.created_at} />
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
