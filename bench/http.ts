/**
 * bench/http: authenticated GET /v1/workspaces/{id} and POST /v1/api_tokens with a fresh idempotency
 * key per request, 16 concurrent connections, against `atoll serve` on PGlite and on Postgres.
 * Prints requests/s, p50 and p99 latency. Target: GET ≥ 3,000 req/s with p99 ≤ 10 ms.
 */
import autocannon from 'autocannon';
import { machineLine, table } from './_machine.ts';
import { BENCH_TOKEN, postgresAdminUrl, startBenchServer } from './_server.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 16;

type Row = [string, string, number, number, number, number];

async function load(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

async function measure(store: 'pglite' | 'postgres'): Promise<Row[]> {
  const server = await startBenchServer(store);
  try {
    const headers = { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' };
    const list = (await (await fetch(`${server.url}/v1/workspaces`, { headers })).json()) as {
      data: Array<{ id: string }>;
    };
    const wsId = list.data[0]!.id;
    const getUrl = `${server.url}/v1/workspaces/${wsId}`;
    await load({ url: getUrl, connections: CONNECTIONS, duration: 2, headers }); // warm-up
    const get = await load({ url: getUrl, connections: CONNECTIONS, duration: DURATION, headers });
    let n = 0;
    const post = await load({
      url: `${server.url}/v1/api_tokens`,
      connections: CONNECTIONS,
      duration: DURATION,
      requests: [
        {
          method: 'POST',
          headers,
          body: JSON.stringify({ name: 'bench' }),
          setupRequest: (req) => ({
            ...req,
            headers: { ...req.headers, 'idempotency-key': `bench-${process.pid}-${n++}` },
          }),
        },
      ],
    });
    const row = (name: string, r: autocannon.Result): Row => {
      const bad = r.non2xx + r.errors + r.timeouts;
      if (bad > 0) console.error(`${store} ${name}: ${bad} failed requests`);
      return [store, name, Math.round(r.requests.average), r.latency.p50, r.latency.p99, bad];
    };
    return [row('GET /v1/workspaces/{id}', get), row('POST /v1/api_tokens (idempotency-key)', post)];
  } finally {
    await server.stop();
  }
}

console.log('bench/http: Atoll over HTTP/1.1 keep-alive, autocannon in a separate process from the server');
console.log(machineLine());
console.log(
  `conditions: ${CONNECTIONS} connections, ${DURATION}s per run after a 2s warm-up, LOG_LEVEL=info (JSON logs to /dev/null)\n`,
);
const rows: Row[] = [...(await measure('pglite'))];
if (await postgresAdminUrl()) rows.push(...(await measure('postgres')));
else console.log('(PostgreSQL not reachable: Postgres rows skipped)');
console.log(table(['store', 'request', 'req/s', 'p50 ms', 'p99 ms', 'failed'], rows));
