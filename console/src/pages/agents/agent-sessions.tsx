/** An agent's sessions, newest first, and the form that starts a new one. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import type { Schema } from '@atoll/client';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Time } from '../../ui/format.tsx';
import { Section } from '../../ui/page.tsx';
import { PagedList, usePaged } from '../../ui/paged.tsx';
import { Empty, ErrorBox } from '../../ui/states.tsx';
import { AgentBadge } from './badges.tsx';
import { curlPost } from './curl.ts';

type Profile = NonNullable<Schema<'CreateAgentSessionBody'>['communication_profile']>;
const PROFILES: Profile[] = ['ADAPTIVE', 'BEGINNER', 'INTERMEDIATE', 'ADVANCED', 'EXPERT'];

export function AgentSessions({ agent }: { agent: Schema<'Agent'> }) {
  const ws = useWorkspaceKey();
  const sessions = usePaged([ws, 'sessions', { agent: agent.id }], (cursor) =>
    call(api.GET('/v1/agent_sessions', { params: { query: { agent: agent.id, cursor, limit: 50 } } })),
  );
  return (
    <Section title="Sessions">
      {agent.state === 'ARCHIVED' ? (
        <p className="muted">This agent is archived: it takes no new session until it is enabled again.</p>
      ) : (
        <StartSession agentId={agent.id} />
      )}
      <PagedList
        paged={sessions}
        empty={
          <Empty
            title="No sessions yet"
            command={curlPost('/v1/agent_sessions', { agent_id: agent.id, title: 'First session' })}
          >
            A session is one durable conversation with this agent. Start one above, or through the API:
          </Empty>
        }
      >
        {(rows) => (
          <table className="table">
            <thead>
              <tr>
                <th>Session</th>
                <th>State</th>
                <th>Role</th>
                <th>Profile</th>
                <th>Created</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.id}>
                  <td>
                    <Link to={`/sessions/${s.id}`}>{s.title ?? s.id}</Link>
                    {s.title ? <div className="muted small">{s.id}</div> : null}
                  </td>
                  <td>
                    <AgentBadge state={s.state} />
                  </td>
                  <td>{s.agent_role ?? <span className="muted">—</span>}</td>
                  <td>{s.communication_profile.toLowerCase()}</td>
                  <td>
                    <Time value={s.created_at} />
                  </td>
                  <td>
                    <Time value={s.updated_at} />
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

function StartSession({ agentId }: { agentId: string }) {
  const ws = useWorkspaceKey();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [title, setTitle] = useState('');
  const [profile, setProfile] = useState<Profile>('ADAPTIVE');
  const start = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/agent_sessions', {
          body: { agent_id: agentId, communication_profile: profile, ...(title ? { title } : {}) },
        }),
      ),
    onSuccess: async (session) => {
      await queryClient.invalidateQueries({ queryKey: [ws, 'sessions'] });
      navigate(`/sessions/${session.id}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    start.mutate();
  };
  return (
    <form className="row start-session" onSubmit={submit} aria-label="Start a session">
      <label>
        <span>
          Title <span className="muted">(optional)</span>
        </span>
        <input value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} />
      </label>
      <label>
        Profile
        <select value={profile} onChange={(e) => setProfile(e.target.value as Profile)}>
          {PROFILES.map((p) => (
            <option key={p} value={p}>
              {p.toLowerCase()}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="primary" disabled={start.isPending}>
        {start.isPending ? 'Starting…' : 'Start session'}
      </button>
      {start.isError ? <ErrorBox error={start.error} title="Not started" /> : null}
    </form>
  );
}
