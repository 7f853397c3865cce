/**
 * Approve / Deny on a pending approval request (with an optional reason), or how it was resolved. The
 * two take the same height, so resolving one does not move what follows it.
 */
import { useId, useState } from 'react';
import { Time } from '../../ui/format.tsx';
import { ErrorBox } from '../../ui/states.tsx';
import { AgentBadge } from './badges.tsx';
import { useResolveApproval, type ApprovalRequest } from './approvals.ts';

export function ApprovalActions({ approval }: { approval: ApprovalRequest }) {
  if (approval.state !== 'PENDING') return <Resolution approval={approval} />;
  return <Decide approval={approval} />;
}

function Resolution({ approval }: { approval: ApprovalRequest }) {
  return (
    <div className="approval-actions resolved" role="status">
      <AgentBadge state={approval.state} />
      <span>
        by <code>{approval.resolved_by ?? 'unknown'}</code> <Time value={approval.resolved_at} />
      </span>
      {approval.reason ? <span className="muted clamp">“{approval.reason}”</span> : null}
    </div>
  );
}

function Decide({ approval }: { approval: ApprovalRequest }) {
  const resolve = useResolveApproval(approval);
  const [reason, setReason] = useState('');
  const reasonId = useId();
  const label = approval.title;
  return (
    <div className="stack">
      <div className="approval-actions">
        <label htmlFor={reasonId} className="visually-hidden">
          Reason for {label}
        </label>
        <input
          id={reasonId}
          placeholder="Reason (optional)"
          value={reason}
          maxLength={2000}
          onChange={(e) => setReason(e.target.value)}
        />
        <button
          className="primary"
          disabled={resolve.isPending}
          aria-label={`Approve ${label}`}
          onClick={() => resolve.mutate({ decision: 'APPROVE', reason })}
        >
          Approve
        </button>
        <button
          className="danger"
          disabled={resolve.isPending}
          aria-label={`Deny ${label}`}
          onClick={() => resolve.mutate({ decision: 'REJECT', reason })}
        >
          Deny
        </button>
      </div>
      {resolve.isError ? <ErrorBox error={resolve.error} title="Not resolved" /> : null}
    </div>
  );
}
