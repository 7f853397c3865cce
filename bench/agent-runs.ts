/**
 * bench/agent-runs, one run, on PGlite (the default store), server in a child process:
 *  (a) a bare `bwrap … true` (the namespaces and binds a sandbox uses, no Atoll): start to exit;
 *  (b) POST …/runs → the run seen `running` (no install step): p50, p99 — the client polls GET every 2 ms,
 *      so figures carry up to ~2 ms of polling resolution;
 *  (c) POST …/runs → `succeeded` for a trivial `node -e` job;
 *  (d) 50 runs submitted at once (capacity 64): wall time until all have ended.
 * Targets on the 2-core machine: (b) p50 ≤ 30 ms, (c) p50 ≤ 120 ms. Published independent sandbox
 * start medians for comparison: Daytona 110 ms, E2B 440 ms (their own figures, other hardware).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildBundle } from '../src/deployments/bundles/pack.ts';
import { AgentConfig } from '../src/deployments/config-schema.ts';
import { machineLine, table } from './_machine.ts';
import { BENCH_TOKEN, startBenchServer } from './_server.ts';

const exec = promisify(execFile);
const N = Number(process.env.BENCH_RUNS ?? 40);
const BURST = 50;
const WARMUP = 3;
const headers = { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' };
let keys = 0;

function pct(times: number[]) {
  const s = [...times].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
  return {
    n: s.length,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}

async function call(
  method: string,
  url: string,
  body?: unknown,
  extra: Record<string, string> = {},
): Promise<any> {
  const res = await fetch(url, {
    method,
    headers: { ...headers, ...extra },
    body:
      body === undefined ? undefined : body instanceof Uint8Array ? Buffer.from(body) : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return JSON.parse(text);
}

async function deploy(
  base: string,
  name: string,
  config: Record<string, unknown>,
  files: Record<string, string>,
) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-bench-agent-'));
  for (const [f, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), content);
  const parsed = AgentConfig.parse(config);
  const bundle = await buildBundle(dir, { include: [], exclude: [] }, parsed);
  fs.rmSync(dir, { recursive: true, force: true });
  const dep = await call(
    'POST',
    `${base}/v1/agent-deployments`,
    { name, mode: 'job' },
    { 'idempotency-key': `b${++keys}` },
  );
  const ver = await call(
    'POST',
    `${base}/v1/agent-deployments/${dep.id}/versions`,
    { config, bundle_manifest: bundle.manifest },
    { 'idempotency-key': `b${++keys}` },
  );
  await call('PUT', `${base}/v1/agent-deployments/${dep.id}/versions/${ver.id}/bundle`, bundle.bytes, {
    'idempotency-key': `b${++keys}`,
    'content-type': 'application/x-tar',
    'x-nullspace-bundle-digest': bundle.manifest.bundle_digest,
  });
  return dep.id as string;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);

/** Creates a run and polls it until `until`; returns ms from before the POST to the sighting. */
async function timeRun(
  base: string,
  deploymentId: string,
  until: (status: string) => boolean,
): Promise<{ ms: number; id: string; status: string }> {
  const t0 = performance.now();
  const run = await call(
    'POST',
    `${base}/v1/agent-deployments/${deploymentId}/runs`,
    { input: {} },
    { 'idempotency-key': `r${++keys}` },
  );
  for (;;) {
    const now = await call('GET', `${base}/v1/agent-deployments/${deploymentId}/runs/${run.id}`);
    if (until(now.status) || TERMINAL.has(now.status))
      return { ms: performance.now() - t0, id: run.id, status: now.status };
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function waitEnded(base: string, deploymentId: string, id: string): Promise<string> {
  for (;;) {
    const now = await call('GET', `${base}/v1/agent-deployments/${deploymentId}/runs/${id}`);
    if (TERMINAL.has(now.status)) return now.status;
    await new Promise((r) => setTimeout(r, 10));
  }
}

console.log('bench/agent-runs');
console.log(machineLine());
const bwrapVersion = (await exec('bwrap', ['--version'])).stdout.trim();
console.log(`${bwrapVersion}, runs per measurement ${N} after ${WARMUP} warm-up, burst ${BURST}\n`);

// (a) bare bwrap
const bare: number[] = [];
const bareArgs = [
  '--unshare-all',
  '--die-with-parent',
  '--new-session',
  '--ro-bind',
  '/usr',
  '/usr',
  '--symlink',
  'usr/bin',
  '/bin',
  '--symlink',
  'usr/lib',
  '/lib',
  '--symlink',
  'usr/lib64',
  '/lib64',
  '--proc',
  '/proc',
  '--dev',
  '/dev',
  '--tmpfs',
  '/tmp',
  'true',
];
for (let i = 0; i < N + WARMUP; i++) {
  const t0 = performance.now();
  await exec('bwrap', bareArgs);
  if (i >= WARMUP) bare.push(performance.now() - t0);
}

const server = await startBenchServer('pglite', { ATOLL_SANDBOX_CAPACITY: '64', LOG_LEVEL: 'warn' });
const rows: Array<Array<string | number>> = [];
const add = (label: string, times: number[], target?: number) => {
  const s = pct(times);
  rows.push([
    label,
    s.n,
    s.p50.toFixed(1),
    s.p90.toFixed(1),
    s.p99.toFixed(1),
    s.mean.toFixed(1),
    target === undefined ? '' : `≤${target}: ${s.p50 <= target ? 'PASS' : 'FAIL'}`,
  ]);
};
add('(a) bare bwrap … true, start to exit', bare);
try {
  const base = server.url;
  const sleeper = await deploy(base, 'bench-running', { entrypoint: 'sleep 1' }, { README: 'sleeps' });
  const trivial = await deploy(base, 'bench-trivial', { entrypoint: 'node -e 0' }, { README: 'node -e 0' });

  const toRunning: number[] = [];
  for (let i = 0; i < N + WARMUP; i++) {
    const r = await timeRun(base, sleeper, (s) => s === 'running');
    if (r.status !== 'running') throw new Error(`run ${r.id} ended ${r.status} before it was seen running`);
    if (i >= WARMUP) toRunning.push(r.ms);
    await waitEnded(base, sleeper, r.id);
  }
  add('(b) create → running (no install)', toRunning, 30);

  const toDone: number[] = [];
  for (let i = 0; i < N + WARMUP; i++) {
    const r = await timeRun(base, trivial, () => false);
    if (r.status !== 'succeeded') throw new Error(`run ${r.id} ended ${r.status}`);
    if (i >= WARMUP) toDone.push(r.ms);
  }
  add('(c) create → succeeded, node -e 0', toDone, 120);

  const t0 = performance.now();
  const ids = await Promise.all(
    Array.from({ length: BURST }, () =>
      call(
        'POST',
        `${base}/v1/agent-deployments/${trivial}/runs`,
        { input: {} },
        { 'idempotency-key': `r${++keys}` },
      ).then((r) => r.id as string),
    ),
  );
  const statuses = await Promise.all(ids.map((id) => waitEnded(base, trivial, id)));
  const burst = performance.now() - t0;
  const ok = statuses.filter((s) => s === 'succeeded').length;
  console.log(table(['measurement (ms)', 'n', 'p50', 'p90', 'p99', 'mean', 'target'], rows));
  console.log(
    `\n(d) ${BURST} runs of node -e 0 submitted at once: all ended after ${burst.toFixed(0)} ms (${ok}/${BURST} succeeded; ${(burst / BURST).toFixed(1)} ms per run)`,
  );
  console.log(
    '\nFor comparison (published medians, their hardware): Daytona sandbox start 110 ms, E2B 440 ms.',
  );
} finally {
  await server.stop();
}
