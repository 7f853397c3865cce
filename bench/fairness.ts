/**
 * bench/fairness (issue 11, F7): one workspace's snippet fan-out attack against another workspace's runs.
 *  (a) floor: a bare isolated-vm cold run in this process (create, compile, run `async () => 1`, dispose);
 *  (b) workspace B alone: POST /v1/snippets:execute `async () => 1`, one at a time;
 *  (c) the same while workspace A runs ATTACKERS loops of a fan-out attack (each execution starts 8
 *      nested :execute of itself, each of those 8 more…), and GET /healthz meanwhile;
 * against `atoll serve` in a child process on PGlite. Prints p50/p99 and the ratio (c)/(b) of the p99s
 * (target ≤ 2), and how many executions and refusals the attack made.
 */
import { bareIsolateRun } from './_floors.ts';
import { SignJWT } from 'jose';
import { machineLine, percentile, table } from './_machine.ts';
import { BENCH_TOKEN, startBenchServer } from './_server.ts';

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const ATTACKERS = Number(process.env.BENCH_ATTACKERS ?? 4);
const SECRET = 'bench-fairness-secret-0123456789abcdef';

const FAN_OUT = `async (inputs) => {
  const rs = await Promise.all(Array.from({ length: 8 }, () =>
    platform.request({ method: 'POST', path: '/v1/snippets:execute', body: { code: inputs.code, inputs } })));
  let ran = 1, refused = 0;
  for (const r of rs) {
    if (r.status === 200 && r.body.result) { ran += r.body.result.ran; refused += r.body.result.refused; }
    else refused++;
  }
  return { ran, refused };
}`;

type Stats = { p50: number; p99: number; n: number };

function stats(times: number[]): Stats {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
}

async function bare(n: number): Promise<Stats> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(await bareIsolateRun());
  return stats(times);
}

const server = await startBenchServer('pglite', { ATOLL_JWT_SECRET: SECRET });
try {
  const jwt = await new SignJWT({ atoll_workspaces: '*' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench-b')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));
  const created = await fetch(`${server.url}/v1/workspaces`, {
    method: 'POST',
    headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'B' }),
  });
  if (created.status !== 201)
    throw new Error(`creating workspace B: ${created.status} ${await created.text()}`);
  const b = ((await created.json()) as { id: string }).id;

  const execute = async (headers: Record<string, string>, body: unknown) => {
    const res = await fetch(`${server.url}/v1/snippets:execute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as { result?: unknown; error?: string };
    if (res.status !== 200) throw new Error(`execute: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const asB = { authorization: `Bearer ${jwt}`, 'akua-context': b };
  const asA = { authorization: `Bearer ${BENCH_TOKEN}` };
  const runB = async (n: number): Promise<Stats> => {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const out = await execute(asB, { code: 'async () => 1' });
      if (out.result !== 1) throw new Error(`B's run failed: ${JSON.stringify(out)}`);
      times.push(performance.now() - t);
    }
    return stats(times);
  };

  console.log('bench/fairness: workspace B runs while workspace A runs a snippet fan-out attack');
  console.log(machineLine());
  console.log(
    `conditions: ${SAMPLES} sequential runs of B per row, ${ATTACKERS} attack loops in A, PGlite\n`,
  );
  const floor = await bare(SAMPLES);
  await runB(50); // warm-up
  const alone = await runB(SAMPLES);

  let stop = false;
  let attacks = 0;
  let ran = 0;
  let refused = 0;
  const loops = Array.from({ length: ATTACKERS }, async () => {
    while (!stop) {
      const out = await execute(asA, { code: FAN_OUT, inputs: { code: FAN_OUT } });
      const r = out.result as { ran: number; refused: number } | undefined;
      attacks++;
      ran += r?.ran ?? 0;
      refused += r?.refused ?? 0;
    }
  });
  const health: number[] = [];
  const healthLoop = (async () => {
    while (!stop) {
      const t = performance.now();
      await (await fetch(`${server.url}/healthz`)).arrayBuffer();
      health.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await new Promise((r) => setTimeout(r, 500));
  const attackStart = performance.now();
  const loaded = await runB(SAMPLES);
  const seconds = (performance.now() - attackStart) / 1000;
  stop = true;
  await Promise.all([...loops, healthLoop]);
  const h = stats(health);

  const f = (n: number) => n.toFixed(2);
  console.log(
    table(
      ['measurement', 'p50 ms', 'p99 ms', 'samples'],
      [
        ['(a) bare isolated-vm cold run (floor)', f(floor.p50), f(floor.p99), floor.n],
        ['(b) B: POST :execute, alone', f(alone.p50), f(alone.p99), alone.n],
        ['(c) B: POST :execute, during the attack', f(loaded.p50), f(loaded.p99), loaded.n],
        ['    GET /healthz during the attack', f(h.p50), f(h.p99), h.n],
      ],
    ),
  );
  console.log(
    `attack: ${attacks} fan-outs in ${seconds.toFixed(1)} s, ${ran} executions (${(ran / attacks).toFixed(1)} per fan-out), ${refused} nested requests refused`,
  );
  const ratio = loaded.p99 / alone.p99;
  console.log(`ratio (c)/(b) of p99: ${ratio.toFixed(2)} (target ≤ 2): ${ratio <= 2 ? 'PASS' : 'FAIL'}`);
} finally {
  await server.stop();
}
