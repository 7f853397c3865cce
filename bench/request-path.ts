/**
 * bench/request-path: the server's own cost per request, without sockets. Sequential requests go through
 * `app.request()` in-process: GET /v1/workspaces/{id}, POST /v1/api_tokens with a fresh idempotency key,
 * and GET /v1/snippets/{id} with the token and by a JWT without akua-context (which verifies the JWT and
 * pays the lookup of the snippet's workspace and of its membership). Runs on PGlite, and on Postgres when DATABASE_URL is set. The floor is Hono's router match
 * of the same path. Steadier than bench/http for comparing two builds on a noisy machine: run it
 * alternately on both.
 */
import { SignJWT } from 'jose';
import { machineLine, percentile, table } from './_machine.ts';
import { BOOTSTRAP_TOKEN, startHarness, testPostgresUrl } from '../src/testing/harness.ts';

const N = Number(process.env.BENCH_REQUESTS ?? 1500);
const SECRET = 'bench-request-path-secret-long-enough-0123456789';

const h = await startHarness({ ATOLL_JWT_SECRET: SECRET });
try {
  const app = h.atoll.app;
  const jwt = await new SignJWT({ sub: 'bench', atoll_workspaces: [h.workspaceId] })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));
  const headers = { authorization: `Bearer ${BOOTSTRAP_TOKEN}`, 'content-type': 'application/json' };
  const snippet = (await (
    await app.request('/v1/snippets', {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'bench', code: 'async () => 1', display_type: 'json' }),
    })
  ).json()) as { snippet_id: string };
  let key = 0;
  const probes: Array<[string, () => Response | Promise<Response>]> = [
    ['GET /v1/workspaces/{id} (token)', () => app.request(`/v1/workspaces/${h.workspaceId}`, { headers })],
    [
      'POST /v1/api_tokens (token, idempotency-key)',
      () =>
        app.request('/v1/api_tokens', {
          method: 'POST',
          headers: { ...headers, 'idempotency-key': `bench-${++key}` },
          body: JSON.stringify({ name: 'bench' }),
        }),
    ],
    ['GET /v1/snippets/{id} (token)', () => app.request(`/v1/snippets/${snippet.snippet_id}`, { headers })],
    [
      'GET /v1/snippets/{id} (JWT, no akua-context)',
      () =>
        app.request(`/v1/snippets/${snippet.snippet_id}`, { headers: { authorization: `Bearer ${jwt}` } }),
    ],
  ];
  const rows: Array<Array<string | number>> = [];
  for (const [name, probe] of probes) {
    for (let i = 0; i < 200; i++) await (await probe()).arrayBuffer(); // warm-up
    const samples: number[] = [];
    for (let i = 0; i < N; i++) {
      const t = performance.now();
      const res = await probe();
      await res.arrayBuffer();
      if (res.status >= 400) throw new Error(`${name}: ${res.status}`);
      samples.push(performance.now() - t);
    }
    samples.sort((a, b) => a - b);
    rows.push([name, percentile(samples, 50).toFixed(2), percentile(samples, 99).toFixed(2)]);
  }
  const matchPath = `/v1/workspaces/${h.workspaceId}`;
  const router = (app as unknown as { router: { match(m: string, p: string): unknown } }).router;
  const t = performance.now();
  for (let i = 0; i < 20_000; i++) router.match('GET', matchPath);
  const floor = ((performance.now() - t) / 20_000) * 1000;
  console.log('bench/request-path: sequential requests through app.request(), in-process');
  console.log(machineLine());
  console.log(
    `store: ${testPostgresUrl() ? 'postgres' : 'pglite'}; ${N} requests per probe after 200 warm-up`,
  );
  console.log(`floor: router match of ${matchPath.replace(h.workspaceId, '{id}')}: ${floor.toFixed(1)} µs\n`);
  console.log(table(['request', 'p50 ms', 'p99 ms'], rows));
} finally {
  await h.close();
}
