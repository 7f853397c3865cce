/**
 * One event of a session's log, rendered by type: messages as text, progress and execution environment
 * changes as status lines, widgets and artifacts as cards (an approval card with its Approve / Deny),
 * handoffs with their summary; failures stand out; an event type this console does not know is shown
 * as compact JSON rather than hidden.
 */
import type { AgentEvent } from '@atoll/client';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Time } from '../../ui/format.tsx';
import { ApprovalActions } from './approval-actions.tsx';
import type { ApprovalRequest } from './approvals.ts';
import { AgentBadge, RefList } from './badges.tsx';

type Data = Record<string, unknown>;
const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function EventView({
  event,
  approvals,
}: {
  event: AgentEvent;
  approvals: Map<string, ApprovalRequest> | undefined;
}) {
  const data = (event.data ?? {}) as Data;
  const body = renderBody(event, data, approvals);
  return (
    <li className={`event ${body.tone}`} data-event-id={event.id} data-sequence={event.sequence}>
      <div className="event-meta">
        <span className="event-type">{body.label}</span>
        <span className="muted">
          #{event.sequence} · <Time value={event.created_at} />
        </span>
      </div>
      <div className="event-body">{body.content}</div>
    </li>
  );
}

function renderBody(
  event: AgentEvent,
  data: Data,
  approvals: Map<string, ApprovalRequest> | undefined,
): { label: string; tone: string; content: ReactNode } {
  switch (event.type) {
    case 'message.created': {
      const role = text(data.role) ?? 'assistant';
      return {
        label: role === 'system' ? 'System' : 'Agent',
        tone: role === 'system' ? 'system' : 'assistant',
        content: <div className="message-text">{text(data.content)}</div>,
      };
    }
    case 'progress.updated': {
      const state = text(data.state);
      return {
        label: 'Progress',
        tone: state === 'FAILED' ? 'failure' : 'status',
        content: (
          <div className="row">
            <AgentBadge state={state} />
            <span className="message-text">{text(data.message)}</span>
          </div>
        ),
      };
    }
    case 'execution_environment.started':
    case 'execution_environment.stopped':
    case 'execution_environment.resumed':
    case 'execution_environment.deleted':
    case 'execution_environment.failed':
      return {
        label: 'Execution environment',
        tone: event.type === 'execution_environment.failed' ? 'failure' : 'status',
        content: (
          <div className="row">
            <AgentBadge state={text(data.state)} />
            <span className="message-text">{text(data.message)}</span>
            {text(data.sandbox_id) ? <code className="muted">{text(data.sandbox_id)}</code> : null}
          </div>
        ),
      };
    case 'widget.created':
      return data.widget_type === 'approval_card'
        ? {
            label: 'Approval request',
            tone: 'approval',
            content: <ApprovalCard data={data} approvals={approvals} />,
          }
        : {
            label: `Widget · ${text(data.widget_type) ?? 'unknown'}`,
            tone: 'card',
            content: <Widget data={data} />,
          };
    case 'artifact.created':
      return {
        label: `Artifact · ${text(data.artifact_type) ?? 'unknown'}`,
        tone: 'card',
        content: (
          <>
            <strong>{text(data.title)}</strong>
            <RefList refs={data.resource_refs} />
          </>
        ),
      };
    case 'handoff_summary.created':
      return { label: 'Handoff', tone: 'card', content: <Handoff data={data} /> };
    case 'turn.cancelled':
      return {
        label: 'Turn cancelled',
        tone: 'status',
        content: (
          <span>
            was <AgentBadge state={text(data.previous_state)} />
            {text(data.reason) ? <span className="message-text"> — {text(data.reason)}</span> : null}
          </span>
        ),
      };
    default:
      return {
        label: String((event as { type: unknown }).type),
        tone: 'unknown',
        content: <code className="compact-json">{JSON.stringify(event.data)}</code>,
      };
  }
}

function ApprovalCard({
  data,
  approvals,
}: {
  data: Data;
  approvals: Map<string, ApprovalRequest> | undefined;
}) {
  const id = text(data.approval_request_id);
  const approval = id ? approvals?.get(id) : undefined;
  return (
    <div className="stack">
      <strong>{text(data.title)}</strong>
      {text(data.summary) ? <div className="message-text">{text(data.summary)}</div> : null}
      {Array.isArray(data.actions) && data.actions.length > 0 ? (
        <code className="compact-json">{JSON.stringify(data.actions)}</code>
      ) : null}
      {approval ? (
        <ApprovalActions approval={approval} />
      ) : (
        <div className="approval-actions muted">
          {approvals ? `approval request ${id} not found` : 'Loading…'}
        </div>
      )}
    </div>
  );
}

function Widget({ data }: { data: Data }) {
  const run = data.snippet_run as { id?: string; state?: string; snippet_id?: string } | undefined;
  return (
    <div className="stack">
      {text(data.title) ? <strong>{text(data.title)}</strong> : null}
      {text(data.summary) ? <div className="message-text">{text(data.summary)}</div> : null}
      {run ? (
        <div className="row">
          <span className="muted">snippet run</span> <code>{run.id}</code>{' '}
          <AgentBadge state={run.state?.toUpperCase()} />
        </div>
      ) : null}
      <RefList refs={data.resource_refs} />
      {Array.isArray(data.actions) && data.actions.length > 0 ? (
        <code className="compact-json">{JSON.stringify(data.actions)}</code>
      ) : null}
    </div>
  );
}

function Handoff({ data }: { data: Data }) {
  const child = text(data.child_session_id);
  const points = Array.isArray(data.decision_points) ? (data.decision_points as string[]) : [];
  return (
    <div className="stack">
      {child ? (
        <span>
          to session <Link to={`/sessions/${child}`}>{child}</Link>
        </span>
      ) : null}
      <div className="message-text">{text(data.summary)}</div>
      {points.length > 0 ? (
        <ul className="points">
          {points.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      ) : null}
      {text(data.recommended_next_step) ? (
        <span>
          <span className="muted">Next:</span> {text(data.recommended_next_step)}
        </span>
      ) : null}
      <RefList refs={data.touched_resource_refs} />
    </div>
  );
}
