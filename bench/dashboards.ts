/**
 * bench/dashboards, one run, on PGlite and (when a PostgreSQL answers) on Postgres: a dashboard of 12
 * snippet widgets (12 snippets, each `async () => 1`), resolved the way a console opening it would, one
 * request per widget (POST …/widgets/{wgt_id}:resolve), 12 at a time:
 *  (a) uncached: each resolution runs its snippet (refresh: true), a persisted dashboard_refresh run;
 *  (b) cached: each resolution is served the fresh run (no snippet runs), 12 at a time, and (b1) one
 *      widget after the other;
 * beside the floors measured in the same run: (f1) a bare isolated-vm cold run, (f2) POST
 * /v1/snippets/{id}/runs of one of the snippets, one at a time (the snippet-run figure).
 * Goals on the 2-core machine: (b) p50 ≤ 10 ms per widget; (a) about the snippet-run figure.
 */
import os from 'node:os';
import { bareIsolateRun } from './_floors.ts';
import { machineLine, percentile, table } from './_machine.ts';
import { benchCall, postgresAdminUrl, startBenchServer } from './_server.ts';

const WIDGETS = 12;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const WARMUP = 3;
const TARGET_CACHED_P50 = 10;

type Stats = { n: number; p50: number; p90: number; p99: number };

function stats(times: number[]): Stats {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
  };
}

async function timed<T>(work: () => Promise<T>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

async function measure(store: 'pglite' | 'postgres') {
  const server = await startBenchServer(store, { LOG_LEVEL: 'warn' });
  try {
    const url = server.url;
    const snippets: string[] = [];
    for (let i = 0; i < WIDGETS; i++) {
      const created = await benchCall('POST', `${url}/v1/snippets`, {
        name: `tile ${i}`,
        code: 'async () => 1',
        display_type: 'stat',
      });
      snippets.push(created.snippet_id);
    }
    const { dashboard_id: id } = await benchCall('POST', `${url}/v1/dashboards`, {
      name: 'bench',
      widgets: snippets.map((snippet_id) => ({ snippet_id, col_span: 1 })),
    });
    const widgets: string[] = (await benchCall('GET', `${url}/v1/dashboards/${id}`)).widgets.map(
      (w: { id: string }) => w.id,
    );
    const resolve = (widget: string, refresh: boolean) =>
      benchCall('POST', `${url}/v1/dashboards/${id}/widgets/${widget}:resolve`, { refresh });
    const uncached: number[] = [];
    const cached: number[] = [];
    const cachedOneByOne: number[] = [];
    for (let round = 0; round < WARMUP + ROUNDS; round++) {
      const fresh = await Promise.all(widgets.map((w) => timed(() => resolve(w, true))));
      const served = await Promise.all(widgets.map((w) => timed(() => resolve(w, false))));
      const oneByOne: number[] = [];
      for (const w of widgets) oneByOne.push(await timed(() => resolve(w, false)));
      if (round < WARMUP) continue;
      uncached.push(...fresh);
      cached.push(...served);
      cachedOneByOne.push(...oneByOne);
    }
    const runs: number[] = [];
    for (let i = 0; i < WARMUP + ROUNDS * 3; i++) {
      const ms = await timed(() => benchCall('POST', `${url}/v1/snippets/${snippets[0]}/runs`, {}));
      if (i >= WARMUP) runs.push(ms);
    }
    return {
      store,
      uncached: stats(uncached),
      cached: stats(cached),
      cachedOneByOne: stats(cachedOneByOne),
      run: stats(runs),
    };
  } finally {
    await server.stop();
  }
}

console.log(
  `bench/dashboards: a dashboard of ${WIDGETS} snippet widgets resolved one request per widget, ${WIDGETS} at a time, uncached and cached, beside a bare isolate and a snippet run`,
);
console.log(machineLine());
console.log(
  `conditions: ${ROUNDS} rounds after ${WARMUP} warm-up rounds; latencies in ms, measured in this process\n`,
);
const floor: number[] = [];
for (let i = 0; i < 200; i++) floor.push(await bareIsolateRun());
const isolate = stats(floor.slice(20));
const results = [await measure('pglite')];
if (await postgresAdminUrl()) results.push(await measure('postgres'));
else console.log('(PostgreSQL not reachable: Postgres rows skipped)');
const row = (store: string, label: string, s: Stats) => [
  store,
  label,
  s.n,
  s.p50.toFixed(1),
  s.p90.toFixed(1),
  s.p99.toFixed(1),
];
console.log(
  table(
    ['store', 'measurement', 'n', 'p50 ms', 'p90 ms', 'p99 ms'],
    [
      row('-', '(f1) bare isolated-vm cold run', isolate),
      ...results.flatMap((r) => [
        row(r.store, '(f2) POST /v1/snippets/{id}/runs, one at a time', r.run),
        row(r.store, `(a) resolve, uncached (runs the snippet), ${WIDGETS} at a time`, r.uncached),
        row(r.store, `(b) resolve, cached, ${WIDGETS} at a time`, r.cached),
        row(r.store, '(b1) resolve, cached, one at a time', r.cachedOneByOne),
      ]),
    ],
  ),
);
console.log('');
for (const r of results) {
  console.log(
    `target (b) cached widget result p50 ≤ ${TARGET_CACHED_P50} ms on ${r.store}: ${r.cached.p50.toFixed(1)} ms with ${WIDGETS} in flight ${r.cached.p50 <= TARGET_CACHED_P50 ? 'PASS' : 'FAIL'}, ${r.cachedOneByOne.p50.toFixed(1)} ms one at a time ${r.cachedOneByOne.p50 <= TARGET_CACHED_P50 ? 'PASS' : 'FAIL'}; (a) uncached p50 ${r.uncached.p50.toFixed(1)} ms beside a snippet run's ${r.run.p50.toFixed(1)} ms (${WIDGETS} in flight vs one)`,
  );
}
console.log(
  `load avg at the end: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
