/**
 * The agents family's states as badges, and its resource references as links to the console pages
 * that show them (the other families' paths are the `html_url`s their API returns).
 */
import { Link } from 'react-router';

const TONES: Record<string, string> = {
  ENABLED: 'ok',
  ARCHIVED: 'muted',
  ACTIVE: 'info',
  QUEUED: 'wait',
  RUNNING: 'info',
  WAITING: 'wait',
  WAITING_FOR_INPUT: 'wait',
  WAITING_FOR_PERMISSION: 'wait',
  PENDING: 'wait',
  COMPLETED: 'ok',
  APPROVED: 'ok',
  STARTED: 'info',
  RESUMED: 'info',
  STOPPED: 'muted',
  DELETED: 'muted',
  CANCELLED: 'muted',
  FAILED: 'bad',
  REJECTED: 'bad',
};

/** A state of an agent, session, turn, approval request or progress event. */
export function AgentBadge({ state }: { state: string | null | undefined }) {
  if (!state) return <span className="muted">—</span>;
  return (
    <span className={`badge ${TONES[state] ?? 'neutral'}`}>{state.toLowerCase().replaceAll('_', ' ')}</span>
  );
}

const PATHS: Record<string, (id: string) => string> = {
  agent: (id) => `/agents/${id}`,
  agent_session: (id) => `/sessions/${id}`,
  session: (id) => `/sessions/${id}`,
  approval_request: () => '/approvals',
  install: (id) => `/installs/${id}`,
  snippet: (id) => `/dashboards/snippets/${id}`,
  agent_deployment: (id) => `/deployments/${id}`,
  operation: (id) => `/operations/${id}`,
  repository_change_request: (id) => `/repository_change_requests/${id}`,
};

export type ResourceRef = { resource: string; id: string };

/** `resource id`, a link when the console has a page for that resource. */
export function RefChip({ value }: { value: ResourceRef }) {
  const path = PATHS[value.resource];
  const label = (
    <>
      <span className="muted">{value.resource}</span> <code>{value.id}</code>
    </>
  );
  return <span className="ref-chip">{path ? <Link to={path(value.id)}>{label}</Link> : label}</span>;
}

export function RefList({ refs }: { refs: unknown }) {
  if (!Array.isArray(refs) || refs.length === 0) return null;
  return (
    <span className="ref-list">
      {(refs as ResourceRef[]).map((r, i) => (
        <RefChip key={i} value={r} />
      ))}
    </span>
  );
}
