import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually } from '../../testing/eventually.ts';
import { watchReadiness, type ReadinessState } from './readiness.ts';

/** Runs watchReadiness against a scripted probe; returns the reports and the watch's answer. */
function watch(
  answers: Array<string | undefined>,
  readiness = { type: 'http' as const, path: '/h', timeout_seconds: 5 },
) {
  const reports: Array<[string, ReadinessState]> = [];
  const controller = new AbortController();
  let probes = 0;
  const done = watchReadiness({
    readiness,
    port: 8000,
    probe: async () => answers[Math.min(probes++, answers.length - 1)],
    events: {
      report: async (to, state) => void reports.push([to, structuredClone(state)]),
    },
    signal: controller.signal,
    healthIntervalMs: 5,
  });
  return { reports, controller, done, probes: () => probes };
}

const statuses = (reports: Array<[string, ReadinessState]>) =>
  reports.map(([to]) => to).filter((to) => to !== 'progress');

test('three failed probes in a row make a ready service unhealthy and one success makes it ready again', async () => {
  const script = ['refused', undefined, undefined, 'HTTP 500', 'HTTP 500', 'HTTP 500', 'HTTP 500', undefined];
  const w = watch(script);
  await eventually(() => w.probes() >= script.length + 1, { intervalMs: 5, message: 'every scripted probe' });
  w.controller.abort();
  assert.equal(await w.done, undefined);
  assert.deepEqual(statuses(w.reports).slice(0, 3), ['ready', 'unhealthy', 'ready']);
  const unhealthy = w.reports.find(([to]) => to === 'unhealthy')![1];
  assert.equal(unhealthy.consecutive_failures, 3);
  assert.equal(unhealthy.last_error, 'HTTP 500');
  assert.ok(unhealthy.ready_at && unhealthy.last_ok_at);
});

test('a probe that never passes ends the watch with a reason naming the probe and its last error', async () => {
  const w = watch(['connection refused'], { type: 'http', path: '/health', timeout_seconds: 1 });
  const reason = await w.done;
  assert.equal(
    reason,
    'the readiness probe (http GET /health on port 8000) did not pass within readiness.timeout_seconds (1 s); last error: connection refused',
  );
  assert.ok(w.probes() >= 4, `only ${w.probes()} probes in a second`);
  assert.deepEqual(statuses(w.reports), []);
  assert.ok(w.reports.at(-1)![1].consecutive_failures >= 4);
});
