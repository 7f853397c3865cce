/** The live stream's state, small and fixed in width so that changing it moves nothing. */
import type { StreamStatus } from './use-event-stream.ts';

const LABELS: Record<StreamStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  failed: 'Stopped',
};

export function ConnectionIndicator({ status }: { status: StreamStatus }) {
  return (
    <span className={`connection ${status}`} role="status" aria-label={`Event stream: ${LABELS[status]}`}>
      <span className="dot" aria-hidden="true" />
      {LABELS[status]}
    </span>
  );
}
