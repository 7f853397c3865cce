/**
 * /sessions/:id: a session's header (state, agent, lineage), its event log streamed live, and the
 * composer that submits a new turn. The session, its turns and its approval requests are re-read as
 * events arrive (state changes follow events: docs/agents.md "Turns").
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import type { AgentEvent, Schema } from '@atoll/client';
import { api, call, useWorkspaceKey } from '../../api.ts';
import { Id, Time } from '../../ui/format.tsx';
import { Page, Section } from '../../ui/page.tsx';
import { Empty, ErrorBox, Loading } from '../../ui/states.tsx';
import { useSessionApprovals } from './approvals.ts';
import { AgentBadge } from './badges.tsx';
import { Composer } from './composer.tsx';
import { ConnectionIndicator } from './connection.tsx';
import { curlPost } from './curl.ts';
import { EventLog } from './event-log.tsx';
import { useSessionTurns } from './turns.tsx';
import { useEventStream } from './use-event-stream.ts';
import './agents.css';

type Session = Schema<'AgentSession'>;

export function SessionPage() {
  const id = useParams().id!;
  const ws = useWorkspaceKey();
  const session = useQuery({
    queryKey: [ws, 'session', id],
    queryFn: () => call(api.GET('/v1/agent_sessions/{id}', { params: { path: { id } } })),
  });
  const agentId = session.data?.agent_id;
  const agent = useQuery({
    queryKey: [ws, 'agent', agentId],
    queryFn: () => call(api.GET('/v1/agents/{id}', { params: { path: { id: agentId! } } })),
    enabled: agentId !== undefined,
  });
  const stream = useEventStream(id, ws);
  const turns = useSessionTurns(id);
  const approvals = useSessionApprovals(id);
  useRefreshOnEvents(id, stream.events);
  useMissingApprovals(id, stream.events, approvals.data);
  const [stick, setStick] = useState(0);

  if (session.isPending) return <Loading what="session" />;
  if (session.isError) return <ErrorBox error={session.error} />;
  const s = session.data;
  const agentName = agent.data?.name ?? s.agent_id;
  return (
    <Page
      title={
        <span className="row">
          {s.title ?? 'Session'} <AgentBadge state={s.state} />
        </span>
      }
      crumbs={[
        { label: 'Agents', to: '/agents' },
        { label: agentName, to: `/agents/${s.agent_id}` },
        { label: s.id },
      ]}
      actions={
        <>
          <ConnectionIndicator status={stream.status} />
          <ArchiveSession session={s} />
        </>
      }
    >
      <SessionProps session={s} agentName={agentName} />
      {stream.status === 'failed' ? (
        <ErrorBox error={stream.problem} title="The event stream stopped" />
      ) : null}
      {turns.isError ? <ErrorBox error={turns.error} title="Turns" /> : null}
      {approvals.isError ? <ErrorBox error={approvals.error} title="Approval requests" /> : null}
      <Section title="Conversation">
        <EventLog
          events={stream.events}
          turns={turns.data}
          approvals={approvals.data}
          stickToken={stick}
          empty={
            stream.status === 'connecting' ? (
              <Loading what="events" />
            ) : (
              <Empty
                title="No events yet"
                command={curlPost(`/v1/agent_turns/<turn id>:emit`, {
                  type: 'message',
                  data: { content: 'on it' },
                })}
              >
                Send a message below to start a turn. The agent's runtime reports its work by emitting into
                the turn (with an idempotency-key header); each emit appears here as it happens:
              </Empty>
            )
          }
        />
        {s.state === 'ARCHIVED' ? (
          <p className="muted">This session is archived: it takes no new turn.</p>
        ) : agent.data?.state === 'ARCHIVED' ? (
          <p className="muted">
            Its agent is archived: the session takes no new turn until the agent is enabled again.
          </p>
        ) : (
          <Composer sessionId={s.id} onSent={() => setStick((n) => n + 1)} />
        )}
      </Section>
    </Page>
  );
}

function SessionProps({ session: s, agentName }: { session: Session; agentName: string }) {
  return (
    <Section title="Session">
      <dl className="facts">
        <Fact label="ID">
          <Id>{s.id}</Id>
        </Fact>
        <Fact label="Agent">
          <Link to={`/agents/${s.agent_id}`}>{agentName}</Link>
        </Fact>
        <Fact label="Profile">{s.communication_profile.toLowerCase()}</Fact>
        <Fact label="Origin">{s.origin.toLowerCase()}</Fact>
        {s.agent_role ? <Fact label="Role">{s.agent_role}</Fact> : null}
        {s.parent_session_id ? (
          <Fact label="Parent session">
            <Link to={`/sessions/${s.parent_session_id}`}>{s.parent_session_id}</Link>
          </Fact>
        ) : null}
        {s.forked_from_session_id ? (
          <Fact label="Forked from">
            <Link to={`/sessions/${s.forked_from_session_id}`}>{s.forked_from_session_id}</Link>
          </Fact>
        ) : null}
        <Fact label="Created">
          <Time value={s.created_at} />
        </Fact>
        <Fact label="Created by">
          <code>{s.created_by}</code>
        </Fact>
        <Fact label="Events kept until">
          <Time value={s.events_retained_until} />
        </Fact>
      </dl>
    </Section>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function ArchiveSession({ session }: { session: Session }) {
  const ws = useWorkspaceKey();
  const queryClient = useQueryClient();
  const archive = useMutation({
    mutationFn: () => call(api.DELETE('/v1/agent_sessions/{id}', { params: { path: { id: session.id } } })),
    onSuccess: (next) => {
      queryClient.setQueryData([ws, 'session', session.id], next);
      void queryClient.invalidateQueries({ queryKey: [ws, 'sessions'] });
    },
  });
  if (session.state === 'ARCHIVED') return null;
  return (
    <>
      {archive.isError ? <ErrorBox error={archive.error} /> : null}
      <button className="danger" onClick={() => archive.mutate()} disabled={archive.isPending}>
        Archive session
      </button>
    </>
  );
}

/** Re-reads the session and its turns (and approvals, when one is announced) once events stop arriving for 150 ms. */
function useRefreshOnEvents(sessionId: string, events: AgentEvent[]) {
  const ws = useWorkspaceKey();
  const queryClient = useQueryClient();
  const handled = useRef(0);
  const approvalsChanged = useRef(false);
  useEffect(() => {
    const fresh = events.slice(handled.current);
    handled.current = events.length;
    if (fresh.length === 0) return;
    if (
      fresh.some(
        (e) =>
          e.type === 'turn.cancelled' ||
          (e.type === 'widget.created' &&
            (e.data as { widget_type?: string })?.widget_type === 'approval_card'),
      )
    )
      approvalsChanged.current = true;
    const timer = setTimeout(() => {
      void queryClient.invalidateQueries({ queryKey: [ws, 'session', sessionId] });
      void queryClient.invalidateQueries({ queryKey: [ws, 'turns'] });
      if (approvalsChanged.current) void queryClient.invalidateQueries({ queryKey: [ws, 'approvals'] });
      approvalsChanged.current = false;
    }, 150);
    return () => clearTimeout(timer);
  }, [events, sessionId, ws, queryClient]);
}

/**
 * An approval request the log shows but the session's list did not have when it was read (it was read
 * before the request was made): read the list again, once per missing set, so its buttons appear.
 */
function useMissingApprovals(
  sessionId: string,
  events: AgentEvent[],
  known: Map<string, unknown> | undefined,
) {
  const ws = useWorkspaceKey();
  const queryClient = useQueryClient();
  const asked = useRef('');
  useEffect(() => {
    if (!known) return;
    const missing = events
      .map((e) => (e.data as { approval_request_id?: unknown } | null)?.approval_request_id)
      .filter((a): a is string => typeof a === 'string' && !known.has(a));
    const key = missing.join(',');
    if (missing.length === 0 || key === asked.current) return;
    asked.current = key;
    void queryClient.invalidateQueries({ queryKey: [ws, 'approvals', { session: sessionId }] });
  }, [events, known, sessionId, ws, queryClient]);
}
