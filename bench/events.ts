/**
 * bench/events, one run:
 *  (a) emit throughput over HTTP with 8 connections (each emit with its own idempotency key), into one
 *      turn and into 8 turns (one per connection): events/s, p50, p99;
 *  (b) delivery latency from the emit response to receipt on 100 concurrent follow=true SSE subscribers
 *      while emitting 500 events/s: p50, p99.
 * Targets on the 2-core machine: (a) ≥ 1,500 events/s on PGlite and on Postgres; (b) p99 ≤ 25 ms.
 */
import autocannon from 'autocannon';
import http from 'node:http';
import { machineLine, table } from './_machine.ts';
import { BENCH_TOKEN, postgresAdminUrl, startBenchServer } from './_server.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const SUBSCRIBERS = 100;
const RATE = 500;
const headers = { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' };

type Row = [string, string, string, string, string, number];

async function post(url: string, body: unknown, extra: Record<string, string> = {}): Promise<any> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { ...headers, ...extra },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function newTurn(url: string, agentId: string): Promise<string> {
  const session = await post(`${url}/v1/agent_sessions`, { agent_id: agentId });
  const turn = await post(`${url}/v1/agent_turns`, { session_id: session.id, message: 'benchmark' });
  return turn.id as string;
}

function load(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) =>
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result))),
  );
}

let runs = 0;

async function emitThroughput(url: string, turns: string[]): Promise<autocannon.Result> {
  let n = 0;
  const run = ++runs;
  const body = JSON.stringify({
    type: 'message',
    data: { role: 'assistant', content: 'hello from the benchmark' },
  });
  return load({
    url,
    connections: 8,
    duration: DURATION,
    requests: [
      {
        method: 'POST',
        headers,
        body,
        setupRequest: (req) => {
          const i = n++;
          return {
            ...req,
            path: `/v1/agent_turns/${turns[i % turns.length]}:emit`,
            headers: { ...req.headers, 'idempotency-key': `b-${process.pid}-${run}-${i}` },
          };
        },
      },
    ],
  });
}

/** Opens a follow=true stream and calls `onEvent(cursor, receivedAt)` for every event frame. */
function subscribe(
  url: string,
  session: string,
  onEvent: (cursor: string, at: number) => void,
): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${url}/v1/agent_events:stream?follow=true&session=${session}`,
      { headers },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`stream: ${res.statusCode}`));
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = performance.now();
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const id = /^id: (.+)$/m.exec(frame);
            if (id) onEvent(id[1]!, at);
          }
        });
        resolve(() => req.destroy());
      },
    );
    req.on('error', () => {});
  });
}

function pct(sorted: number[], p: number): string {
  return sorted.length
    ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(2)
    : 'n/a';
}

async function deliveryLatency(
  url: string,
  agentId: string,
): Promise<{ p50: string; p99: string; received: number; expected: number }> {
  const session = await post(`${url}/v1/agent_sessions`, { agent_id: agentId });
  const turn = await post(`${url}/v1/agent_turns`, { session_id: session.id, message: 'latency' });
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const early: Array<[string, number]> = [];
  const closers = await Promise.all(
    Array.from({ length: SUBSCRIBERS }, () =>
      subscribe(url, session.id, (cursor, at) => {
        const t = sentAt.get(cursor);
        if (t === undefined) early.push([cursor, at]);
        else latencies.push(Math.max(0, at - t));
      }),
    ),
  );
  await new Promise((r) => setTimeout(r, 500));
  const total = RATE * DURATION;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(
      new Promise<void>((resolve) => {
        const body = JSON.stringify({ type: 'progress', data: { state: 'RUNNING', message: `step ${i}` } });
        const req = http.request(
          `${url}/v1/agent_turns/${turn.id}:emit`,
          { method: 'POST', agent, headers: { ...headers, 'idempotency-key': `lat-${process.pid}-${i}` } },
          (res) => {
            let text = '';
            res.on('data', (d) => (text += d));
            res.on('end', () => {
              const at = performance.now();
              const cursor = JSON.parse(text).cursor as string;
              sentAt.set(cursor, at);
              resolve();
            });
          },
        );
        req.end(body);
      }),
    );
  }
  await Promise.all(inflight);
  await new Promise((r) => setTimeout(r, 1000));
  for (const [cursor, at] of early) latencies.push(Math.max(0, at - (sentAt.get(cursor) ?? at)));
  for (const close of closers) close();
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    received: latencies.length,
    expected: total * SUBSCRIBERS,
  };
}

async function measure(store: 'pglite' | 'postgres'): Promise<Row[]> {
  const server = await startBenchServer(store);
  try {
    const agent = await post(`${server.url}/v1/agents`, {
      name: 'bench',
      instructions: 'benchmark',
      capabilities: ['CHAT'],
    });
    const one = [await newTurn(server.url, agent.id)];
    const eight = await Promise.all(Array.from({ length: 8 }, () => newTurn(server.url, agent.id)));
    const rows: Row[] = [];
    for (const [label, turns] of [
      ['(a) emit, 8 connections, one turn', one],
      ['(a) emit, 8 connections, 8 turns', eight],
    ] as const) {
      const r = await emitThroughput(`${server.url}`, turns);
      rows.push([
        store,
        label,
        String(Math.round(r.requests.average)),
        r.latency.p50.toFixed(1),
        r.latency.p99.toFixed(1),
        r.non2xx + r.errors,
      ]);
    }
    const lat = await deliveryLatency(server.url, agent.id);
    rows.push([
      store,
      `(b) delivery to ${SUBSCRIBERS} subscribers at ${RATE}/s (${lat.received}/${lat.expected} received)`,
      '-',
      lat.p50,
      lat.p99,
      lat.expected - lat.received,
    ]);
    return rows;
  } finally {
    await server.stop();
  }
}

console.log(
  'bench/events: emits over HTTP and live delivery over SSE (server in a child process, clients in this one)',
);
console.log(machineLine());
console.log(
  `conditions: ${DURATION}s per measurement; latencies in ms, measured in this process from emit response to frame receipt\n`,
);
const rows = await measure('pglite');
if (await postgresAdminUrl()) rows.push(...(await measure('postgres')));
console.log(table(['store', 'measurement', 'events/s', 'p50 ms', 'p99 ms', 'failed/lost'], rows));
