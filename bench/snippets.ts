/**
 * bench/snippets, side by side in one run:
 *  (a) bare isolated-vm cold runs in a loop: create isolate + context, compile, run `async () => 1`, dispose;
 *  (b) POST /v1/snippets/{id}/runs of the same snippet over HTTP, 8 concurrent connections, persisted;
 *  (b1) the same, one request at a time (the latency of a run on an idle server, like (a));
 *  (c) the same with a snippet making 5 platform.request() GETs, and (c1) that one at a time.
 * Prints runs/s, p50 and p99 for each and the ratio b/a of the p50s.
 * Targets on the 2-core machine: (b) p50 ≤ 5 ms and ≥ 400 runs/s on PGlite, b/a ≤ 2.5; (c) p50 ≤ 15 ms.
 */
import autocannon from 'autocannon';
import { bareIsolateRun } from './_floors.ts';
import { machineLine, percentile, table } from './_machine.ts';
import { BENCH_TOKEN, postgresAdminUrl, startBenchServer } from './_server.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 8;

type Row = [string, string, number, string, string, number];

async function bareIsolateLoop(seconds: number): Promise<{ perSecond: number; p50: number; p99: number }> {
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) times.push(await bareIsolateRun());
  times.sort((x, y) => x - y);
  return { perSecond: times.length / seconds, p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function load(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) =>
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result))),
  );
}

async function createSnippet(url: string, code: string): Promise<string> {
  const res = await fetch(`${url}/v1/snippets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'bench', code, display_type: 'json' }),
  });
  if (res.status !== 201) throw new Error(`creating the snippet failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { snippet_id: string }).snippet_id;
}

async function runLoad(url: string, snippetId: string): Promise<autocannon.Result> {
  const opts = {
    url: `${url}/v1/snippets/${snippetId}/runs`,
    connections: CONNECTIONS,
    method: 'POST' as const,
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
    body: '{}',
  };
  await load({ ...opts, duration: 2 }); // warm-up
  return load({ ...opts, duration: DURATION });
}

/** One request at a time over a keep-alive connection, timed in the client with sub-millisecond resolution. */
async function sequential(
  url: string,
  snippetId: string,
  seconds: number,
): Promise<{ perSecond: number; p50: number; p99: number }> {
  const times: number[] = [];
  const init = {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
    body: '{}',
  };
  for (let i = 0; i < 50; i++)
    await (await fetch(`${url}/v1/snippets/${snippetId}/runs`, init)).arrayBuffer();
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t = performance.now();
    const res = await fetch(`${url}/v1/snippets/${snippetId}/runs`, init);
    await res.arrayBuffer();
    if (res.status !== 201) throw new Error(`run failed: ${res.status}`);
    times.push(performance.now() - t);
  }
  times.sort((x, y) => x - y);
  return { perSecond: times.length / seconds, p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function measureServer(store: 'pglite' | 'postgres'): Promise<Row[]> {
  const server = await startBenchServer(store);
  try {
    const trivial = await createSnippet(server.url, 'async () => 1');
    const ws = (await (
      await fetch(`${server.url}/v1/workspaces`, { headers: { authorization: `Bearer ${BENCH_TOKEN}` } })
    ).json()) as {
      data: Array<{ id: string }>;
    };
    const fiveGets = await createSnippet(
      server.url,
      `async () => { const out = []; for (let i = 0; i < 5; i++) { const r = await platform.request({ method: 'GET', path: '/v1/workspaces/${ws.data[0]!.id}' }); out.push(r.status); } return out; }`,
    );
    const rows: Row[] = [];
    for (const [label, id] of [
      ['(b1) POST runs, async () => 1, 1 at a time', trivial],
      ['(c1) POST runs, 5 GETs, 1 at a time', fiveGets],
    ] as const) {
      const one = await sequential(server.url, id, DURATION);
      rows.push([store, label, Math.round(one.perSecond), one.p50.toFixed(2), one.p99.toFixed(2), 0]);
    }
    for (const [label, id] of [
      ['(b) POST runs, async () => 1', trivial],
      ['(c) POST runs, 5 platform.request GETs', fiveGets],
    ] as const) {
      const r = await runLoad(server.url, id);
      const bad = r.non2xx + r.errors + r.timeouts;
      rows.push([
        store,
        label,
        Math.round(r.requests.average),
        r.latency.p50.toFixed(1),
        r.latency.p99.toFixed(1),
        bad,
      ]);
    }
    return rows;
  } finally {
    await server.stop();
  }
}

console.log(
  'bench/snippets: isolated-vm baseline vs persisted snippet runs over HTTP (server in a child process)',
);
console.log(machineLine());
console.log(
  `conditions: ${DURATION}s per measurement, ${CONNECTIONS} connections for HTTP runs, default limits (64 MB, 30 s CPU, 60 s wall)\n`,
);
const bare = await bareIsolateLoop(DURATION);
const rows: Row[] = [
  [
    'in-process',
    '(a) bare isolated-vm cold run',
    Math.round(bare.perSecond),
    bare.p50.toFixed(2),
    bare.p99.toFixed(2),
    0,
  ],
];
rows.push(...(await measureServer('pglite')));
if (await postgresAdminUrl()) rows.push(...(await measureServer('postgres')));
console.log(table(['store', 'measurement', 'runs/s', 'p50 ms', 'p99 ms', 'failed'], rows));
for (const row of rows.filter((r) => r[1].startsWith('(b'))) {
  console.log(
    `ratio ${row[1].split(' ')[0]}/(a) of p50 on ${row[0]}: ${(Number(row[3]) / bare.p50).toFixed(2)}`,
  );
}
console.log(
  "(a), (b1) and (c1) run one at a time; (b) and (c) keep 8 requests in flight, so their p50 is about 8 / throughput (Little's law).",
);
