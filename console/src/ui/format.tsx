/** Small renderers: times (Unix seconds or ISO-8601), states as badges, JSON, ids. */
import { useSyncExternalStore, type ReactNode } from 'react';

/**
 * The clock relative times are drawn against: one timer for the whole page, ticking every 10 s while any
 * time is shown, so "just now" becomes "1m ago" without a reload.
 */
const clock = (() => {
  let now = Date.now();
  let timer: ReturnType<typeof setInterval> | undefined;
  const listeners = new Set<() => void>();
  return {
    subscribe(listener: () => void) {
      listeners.add(listener);
      timer ??= setInterval(() => {
        now = Date.now();
        for (const l of listeners) l();
      }, 10_000);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer !== undefined) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
    now: () => now,
  };
})();

/** A timestamp from either family: Unix seconds (Akua family) or an ISO-8601 string (deployments). */
export function Time({ value }: { value: number | string | null | undefined }) {
  const now = useSyncExternalStore(clock.subscribe, clock.now);
  if (value === null || value === undefined || value === '') return <span className="muted">—</span>;
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) return <span>{String(value)}</span>;
  return (
    <time dateTime={date.toISOString()} title={date.toISOString()}>
      {relative(date, Math.max(now, Date.now()))}
    </time>
  );
}

function relative(date: Date, now: number): string {
  const seconds = Math.round((now - date.getTime()) / 1000);
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
