/** Small renderers: times (Unix seconds or ISO-8601), states as badges, JSON, ids. */
import type { ReactNode } from 'react';

/** A timestamp from either family: Unix seconds (Akua family) or an ISO-8601 string (deployments). */
export function Time({ value }: { value: number | string | null | undefined }) {
  if (value === null || value === undefined || value === '') return <span className="muted">—</span>;
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) return <span>{String(value)}</span>;
  return (
    <time dateTime={date.toISOString()} title={date.toISOString()}>
      {relative(date)}
    </time>
  );
}

function relative(date: Date): string {
  const seconds = Math.round((Date.now() - date.getTime()) / 1000);
  const abs = Math.abs(seconds);
  const suffix = seconds >= 0 ? 'ago' : 'from now';
  if (abs < 5) return 'just now';
  if (abs < 60) return `${abs}s ${suffix}`;
  if (abs < 3600) return `${Math.floor(abs / 60)}m ${suffix}`;
  if (abs < 86400) return `${Math.floor(abs / 3600)}h ${suffix}`;
  return date.toLocaleString();
}

const TONES: Record<string, string> = {
  succeeded: 'ok',
  success: 'ok',
  completed: 'ok',
  ready: 'ok',
  running: 'info',
  active: 'info',
  open: 'info',
  in_progress: 'info',
  pending: 'wait',
  queued: 'wait',
  waiting: 'wait',
  building: 'wait',
  requires_action: 'wait',
  failed: 'bad',
  error: 'bad',
  errored: 'bad',
  rejected: 'bad',
  cancelled: 'muted',
  canceled: 'muted',
  withdrawn: 'muted',
  stopped: 'muted',
  archived: 'muted',
};

/** A state as a colored badge (any family's state names, any case). */
export function StateBadge({ state }: { state: string | null | undefined }) {
  if (!state) return <span className="muted">—</span>;
  const tone = TONES[state.toLowerCase()] ?? 'neutral';
  return <span className={`badge ${tone}`}>{state.toLowerCase().replaceAll('_', ' ')}</span>;
}

export function Json({ value }: { value: unknown }) {
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}

export function Id({ children }: { children: ReactNode }) {
  return <code className="id">{children}</code>;
}

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
