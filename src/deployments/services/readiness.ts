/**
 * Readiness of a running service: while it starts, a probe every START_INTERVAL_MS (readiness latency
 * matters) until it passes — or until readiness.timeout_seconds, which fails the instance; `timeout`
 * readiness just waits that long. Once ready, a probe every `healthIntervalMs`: UNHEALTHY_AFTER failures
 * in a row make it unhealthy, one success ready again. The state is an opaque object the API serves
 * as `readiness_status`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentConfig } from '../config-schema.ts';

const START_INTERVAL_MS = 150;
const PROBE_TIMEOUT_MS = 2000;
const PROGRESS_EVERY_MS = 1000;
/** The shortest probe worth starting before the readiness deadline. */
const MIN_PROBE_MS = 50;

export const UNHEALTHY_AFTER = 3;

export type Readiness = NonNullable<AgentConfig['service']>['readiness'];

export type ReadinessState = {
  type: string;
  path?: string;
  timeout_seconds: number;
  last_checked_at: string | null;
  last_ok_at: string | null;
  consecutive_failures: number;
  last_error: string | null;
  ready_at: string | null;
};

export function initialReadiness(readiness: Readiness): ReadinessState {
  return {
    type: readiness.type,
    ...(readiness.type === 'http' ? { path: readiness.path } : {}),
    timeout_seconds: readiness.timeout_seconds,
    last_checked_at: null,
    last_ok_at: null,
    consecutive_failures: 0,
    last_error: null,
    ready_at: null,
  };
}

/** What the probe checks, for messages: "http GET /health on port 8000". */
export function describeProbe(readiness: Readiness, port: number): string {
  switch (readiness.type) {
    case 'http':
      return `http GET ${readiness.path} on port ${port}`;
    case 'tcp':
      return `tcp connect to port ${port}`;
    case 'timeout':
      return `timeout of ${readiness.timeout_seconds} s`;
    default: {
      const never: never = readiness.type;
      throw new Error(`unknown readiness type ${String(never)}`);
    }
  }
}

export type ReadinessEvents = {
  /** The state changed: `status` is where the instance goes (`progress` = same status, newer state). */
  report(status: 'ready' | 'unhealthy' | 'progress', state: ReadinessState): Promise<void>;
};

/**
 * Watches until `signal` aborts (then resolves undefined), or resolves with a failure reason when the
 * service did not become ready in time. `probe` answers undefined on success or an error text.
 */
export async function watchReadiness(options: {
  readiness: Readiness;
  port: number;
  probe(timeoutMs: number): Promise<string | undefined>;
  events: ReadinessEvents;
  signal: AbortSignal;
  healthIntervalMs: number;
}): Promise<string | undefined> {
  const { readiness, signal, events } = options;
  const state = initialReadiness(readiness);
  const timeoutMs = readiness.timeout_seconds * 1000;
  const deadline = Date.now() + timeoutMs;
  const pause = (ms: number) =>
    sleep(ms, undefined, { signal }).then(
      () => true,
      () => false,
    );
  const check = async (limitMs: number) => {
    const error = await options.probe(limitMs);
    const now = new Date().toISOString();
    state.last_checked_at = now;
    if (error === undefined) {
      state.last_ok_at = now;
      state.consecutive_failures = 0;
      state.last_error = null;
    } else {
      state.consecutive_failures++;
      state.last_error = error;
    }
    return error === undefined;
  };

  if (readiness.type === 'timeout') {
    if (!(await pause(timeoutMs))) return undefined;
    state.ready_at = new Date().toISOString();
    await events.report('ready', state);
    while (await pause(3_600_000));
    return undefined;
  }
  let reported = Date.now();
  for (;;) {
    const left = deadline - Date.now();
    // A probe squeezed into the last few milliseconds could only time out, and its "no answer" would
    // hide the real last error (say, a 500): stop with what the earlier probes found.
    if (left <= 0 || (left < MIN_PROBE_MS && state.last_error !== null)) {
      await events.report('progress', state);
      return `the readiness probe (${describeProbe(readiness, options.port)}) did not pass within readiness.timeout_seconds (${readiness.timeout_seconds} s)${state.last_error ? `; last error: ${state.last_error}` : ''}`;
    }
    const ok = await check(Math.min(PROBE_TIMEOUT_MS, left));
    if (signal.aborted) return undefined;
    if (ok) break;
    if (Date.now() - reported >= PROGRESS_EVERY_MS) {
      reported = Date.now();
      await events.report('progress', state);
    }
    if (!(await pause(Math.min(START_INTERVAL_MS, Math.max(deadline - Date.now(), 0))))) return undefined;
  }
  state.ready_at = new Date().toISOString();
  await events.report('ready', state);
  let healthy = true;
  while (await pause(options.healthIntervalMs)) {
    const ok = await check(PROBE_TIMEOUT_MS);
    if (signal.aborted) return undefined;
    if (healthy && !ok && state.consecutive_failures >= UNHEALTHY_AFTER) {
      healthy = false;
      await events.report('unhealthy', state);
    } else if (!healthy && ok) {
      healthy = true;
      await events.report('ready', state);
    } else {
      await events.report('progress', state);
    }
  }
  return undefined;
}
