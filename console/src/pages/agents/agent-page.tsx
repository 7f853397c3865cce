/** /agents/:id: one agent, edit, archive/enable, its sessions (newest first) and the form starting one. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import type { Schema } from '@atoll/client';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Id, Json, Time } from '../../ui/format.tsx';
import { Page, Section } from '../../ui/page.tsx';
import { ErrorBox, Loading } from '../../ui/states.tsx';
import { AgentBadge } from './badges.tsx';
import { AgentSessions } from './agent-sessions.tsx';
import { EditAgent } from './edit-agent.tsx';
import './agents.css';

type Agent = Schema<'Agent'>;

export function AgentPage() {
  const id = useParams().id!;
  const ws = useWorkspaceKey();
  const [editing, setEditing] = useState(false);
  const agent = useQuery({
    queryKey: [ws, 'agent', id],
    queryFn: () => call(api.GET('/v1/agents/{id}', { params: { path: { id } } })),
  });
  if (agent.isPending) return <Loading what="agent" />;
  if (agent.isError) return <ErrorBox error={agent.error} />;
  const a = agent.data;
  return (
    <Page
      title={a.name}
      crumbs={[{ label: 'Agents', to: '/agents' }, { label: a.id }]}
      actions={
        <>
          {a.state === 'ENABLED' ? (
            <button onClick={() => setEditing(true)} disabled={editing}>
              Edit agent
            </button>
          ) : (
            <span className="muted small">Enable the agent to edit it</span>
          )}
          <ArchiveToggle agent={a} />
        </>
      }
    >
      {editing && a.state === 'ENABLED' ? (
        <EditAgent agent={a} onDone={() => setEditing(false)} />
      ) : (
        <AgentDetails agent={a} />
      )}
      <AgentSessions agent={a} />
    </Page>
  );
}

function AgentDetails({ agent: a }: { agent: Agent }) {
  return (
    <Section title="Agent">
      <dl className="props">
        <dt>ID</dt>
        <dd>
          <Id>{a.id}</Id>
        </dd>
        <dt>State</dt>
        <dd>
          <AgentBadge state={a.state} />
        </dd>
        {a.description ? (
          <>
            <dt>Description</dt>
            <dd>{a.description}</dd>
          </>
        ) : null}
        <dt>Capabilities</dt>
        <dd>{a.capabilities.join(', ')}</dd>
        <dt>Model</dt>
        <dd>
          {a.model_policy.default_model} <span className="muted">({a.model_policy.billing_mode})</span>
        </dd>
        <dt>Runtime</dt>
        <dd>
          {a.runtime_deployment_id ? (
            <Link to={`/deployments/${a.runtime_deployment_id}`}>
              <code>{a.runtime_deployment_id}</code>
            </Link>
          ) : (
            <span className="muted">none: turns stay queued until something emits into them</span>
          )}
        </dd>
        <dt>Created</dt>
        <dd>
          <Time value={a.created_at} /> <span className="muted">by</span> <code>{a.created_by}</code>
        </dd>
        <dt>Updated</dt>
        <dd>
          <Time value={a.updated_at} />
        </dd>
      </dl>
      <h3>Instructions</h3>
      <pre className="instructions">{a.instructions}</pre>
      {a.ambient ? (
        <details>
          <summary>Ambient configuration</summary>
          <Json value={a.ambient} />
        </details>
      ) : null}
    </Section>
  );
}

function ArchiveToggle({ agent }: { agent: Agent }) {
  const ws = useWorkspaceKey();
  const queryClient = useQueryClient();
  const archived = agent.state === 'ARCHIVED';
  const toggle = useMutation({
    mutationFn: () =>
      archived
        ? call(api.POST('/v1/agents/{id}:enable', { params: { path: { id: agent.id } } }))
        : call(api.DELETE('/v1/agents/{id}', { params: { path: { id: agent.id } } })),
    onSuccess: (next) => {
      queryClient.setQueryData([ws, 'agent', agent.id], next);
      void queryClient.invalidateQueries({ queryKey: [ws, 'agents'] });
    },
  });
  return (
    <>
      {toggle.isError ? <ErrorBox error={toggle.error} /> : null}
      <button
        className={archived ? undefined : 'danger'}
        onClick={() => toggle.mutate()}
        disabled={toggle.isPending}
      >
        {archived ? 'Enable agent' : 'Archive agent'}
      </button>
    </>
  );
}
