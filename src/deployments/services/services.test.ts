import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../../testing/eventually.ts';
import { startHarness, type Harness } from '../../testing/harness.ts';
import type { AgentConfigInput } from '../config-schema.ts';
import { deployAgent, key } from '../test-fixtures.ts';

/** An HTTP service that echoes what it was sent, with GET /health for the readiness probe. */
const ECHO = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  if (req.url === '/health') return void res.end('ok');
  if (req.url === '/stream') {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: one\\n\\n');
    return void setTimeout(() => res.end('data: two\\n\\n'), 400);
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-echo', 'yes');
    res.end(JSON.stringify({
      method: req.method,
      url: req.url,
      body: Buffer.concat(chunks).toString(),
      greeting: process.env.GREETING ?? null,
      authorization: req.headers.authorization ?? null,
      forwardedPrefix: req.headers['x-forwarded-prefix'] ?? null,
      service: process.env.ATOLL_SERVICE_ID,
    }));
  });
});
server.listen(Number(process.env.PORT), '0.0.0.0', () => {
  console.log('listening on ' + process.env.PORT);
  console.log('greeting ' + (process.env.GREETING ?? '-'));
});
`;

const service = (
  port: number,
  readiness: Record<string, unknown>,
  extra: Partial<AgentConfigInput> = {},
): Partial<AgentConfigInput> & { entrypoint: string } => ({
  mode: 'service',
  entrypoint: 'node server.js',
  service: { port, readiness: readiness as never },
  ...extra,
});

const LIVE = new Set(['starting', 'ready', 'unhealthy', 'stopping']);

describe('agent service instances in bwrap sandboxes', () => {
  let h: Harness;
  let echo: { deploymentId: string; versionId: string };
  before(async () => {
    h = await startHarness({ ATOLL_SANDBOX_CAPACITY: '16' });
    echo = await deployAgent(h, {
      files: { 'server.js': ECHO },
      config: service(
        8000,
        { type: 'http', path: '/health', timeout_seconds: 20 },
        {
          env: { optional: ['GREETING'] },
        },
      ),
    });
  });
  after(() => h.close());

  const base = (deploymentId: string) => `/v1/agent-deployments/${deploymentId}/services`;

  async function start(deploymentId: string, body: Record<string, unknown> = {}): Promise<any> {
    const res = await h.request('POST', base(deploymentId), {
      headers: { 'idempotency-key': key('svc') },
      body,
    });
    assert.equal(res.status, 201, res.text);
    return res.body;
  }

  /** Reads the service until `until` holds; returns it. */
  const waitForService = (deploymentId: string, id: string, until: (s: any) => boolean): Promise<any> =>
    eventually(
      async () => {
        const res = await h.request('GET', `${base(deploymentId)}/${id}`);
        assert.equal(res.status, 200, res.text);
        assert.ok(until(res.body), `service ${id} stuck in ${res.body.status}: ${JSON.stringify(res.body)}`);
        return res.body;
      },
      { timeoutMs: 30_000, intervalMs: 25, message: `service ${id}` },
    );

  const stopService = (deploymentId: string, id: string) =>
    h.request('POST', `${base(deploymentId)}/${id}/stop`);

  async function logs(deploymentId: string, id: string): Promise<any[]> {
    const res = await h.request('GET', `${base(deploymentId)}/${id}/logs?limit=200`);
    assert.equal(res.status, 200, res.text);
    return res.body.items;
  }

  /** Reads the service's log until `until` holds of its texts; returns the lines. */
  const waitForLogs = (deploymentId: string, id: string, until: (texts: string[]) => boolean) =>
    eventually(
      async () => {
        const lines = await logs(deploymentId, id);
        assert.ok(until(lines.map((l) => l.text)), `logs: ${JSON.stringify(lines)}`);
        return lines;
      },
      { intervalMs: 25, message: `the log of service ${id}` },
    );

  test('an http service becomes ready and answers through the authenticated proxy', async () => {
    const created = await start(echo.deploymentId);
    assert.match(created.id, /^adsvc_/);
    assert.equal(created.status, 'starting');
    assert.equal(created.port, 8000);
    assert.equal(created.version_id, echo.versionId);
    assert.equal(created.public_url, null);
    assert.equal(created.generation, 0);
    const proxy = `${base(echo.deploymentId)}/${created.id}/proxy`;
    assert.equal(created.proxy_url, `${h.config.publicUrl}${proxy}/`);
    const ready = await waitForService(echo.deploymentId, created.id, (s) => s.status !== 'starting');
    assert.equal(ready.status, 'ready', ready.failure_reason);
    assert.equal(ready.readiness_status.type, 'http');
    assert.equal(ready.readiness_status.path, '/health');
    assert.ok(ready.readiness_status.last_ok_at && ready.readiness_status.ready_at, JSON.stringify(ready));
    assert.match(ready.sandbox_id, /^sbx_/);
    assert.ok(ready.process_id > 0 && ready.started_at);

    const got = await h.request('GET', `${proxy}/hello/world?x=1&y=%20`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.headers.get('x-echo'), 'yes');
    assert.deepEqual(
      { ...got.body, forwardedPrefix: undefined },
      {
        method: 'GET',
        url: '/hello/world?x=1&y=%20',
        body: '',
        greeting: null,
        authorization: null,
        forwardedPrefix: undefined,
        service: created.id,
      },
    );
    assert.equal(got.body.forwardedPrefix, proxy);
    const root = await h.request('GET', `${proxy}/`);
    assert.equal(root.body.url, '/');

    const posted = await h.request('POST', `${proxy}/items`, { body: { name: 'ada' } });
    assert.equal(posted.status, 200, posted.text);
    assert.equal(posted.body.method, 'POST');
    assert.deepEqual(JSON.parse(posted.body.body), { name: 'ada' });

    // Over a real socket, with a streamed (chunked) request body.
    const url = await h.listen();
    const streamed = await fetch(`${url}${proxy}/upload`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${h.token}`, 'content-type': 'text/plain' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('part one, '));
          controller.enqueue(new TextEncoder().encode('part two'));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    assert.equal(streamed.status, 200);
    assert.deepEqual(
      { method: 'PUT', body: 'part one, part two' },
      (({ method, body }) => ({ method, body }))((await streamed.json()) as any),
    );

    // The answer streams: the first event arrives before the service has finished.
    const events = await fetch(`${url}${proxy}/stream`, {
      headers: { authorization: `Bearer ${h.token}` },
    });
    assert.equal(events.headers.get('content-type'), 'text/event-stream');
    const reader = events.body!.getReader();
    const asked = Date.now();
    const first = await reader.read();
    assert.equal(new TextDecoder().decode(first.value), 'data: one\n\n');
    assert.ok(Date.now() - asked < 350, 'the first event was held back');
    let rest = '';
    for (let r = await reader.read(); !r.done; r = await reader.read())
      rest += new TextDecoder().decode(r.value);
    assert.equal(rest, 'data: two\n\n');

    const anonymous = await h.request('GET', `${proxy}/hello`, { token: null });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.error.code, 'unauthorized');
    const other = await h.newWorkspace();
    const foreign = await h.request('GET', `${proxy}/hello`, { token: other.token });
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.error.code, 'agent_deployment_not_found');

    const lines = await waitForLogs(echo.deploymentId, created.id, (texts) =>
      texts.some((t) => /^ready: http GET \/health/.test(t)),
    );
    assert.ok(
      lines.some((l) => l.stream === 'stdout' && l.text === 'listening on 8000'),
      JSON.stringify(lines),
    );
    assert.equal((await stopService(echo.deploymentId, created.id)).body.status, 'stopped');
  });

  test('tcp readiness passes once the port accepts connections', async () => {
    const tcp = await deployAgent(h, {
      files: {
        'server.js':
          "require('node:net').createServer((s) => s.end('hi\\n')).listen(Number(process.env.PORT), '0.0.0.0');",
      },
      config: service(9000, { type: 'tcp', timeout_seconds: 20 }),
    });
    const created = await start(tcp.deploymentId);
    const ready = await waitForService(tcp.deploymentId, created.id, (s) => s.status !== 'starting');
    assert.equal(ready.status, 'ready', ready.failure_reason);
    assert.equal(ready.readiness_status.type, 'tcp');
    assert.equal(ready.readiness_status.path, undefined);
    await stopService(tcp.deploymentId, created.id);
  });

  test('timeout readiness is ready once its timeout has passed', async () => {
    const quiet = await deployAgent(h, {
      files: { 'server.js': 'setInterval(() => {}, 1000);' },
      config: service(7000, { type: 'timeout', timeout_seconds: 1 }),
    });
    const created = await start(quiet.deploymentId);
    const ready = await waitForService(quiet.deploymentId, created.id, (s) => s.status !== 'starting');
    assert.equal(ready.status, 'ready', ready.failure_reason);
    assert.ok(Date.parse(ready.readiness_status.ready_at) - Date.parse(ready.started_at) >= 950);
    // Nothing listens, so the proxy cannot reach it.
    const res = await h.request('GET', `${base(quiet.deploymentId)}/${created.id}/proxy/`);
    assert.equal(res.status, 503);
    assert.equal(res.body.error.code, 'service_unavailable');
    await stopService(quiet.deploymentId, created.id);
  });

  test('a service that never becomes ready fails after its readiness timeout', async () => {
    const sick = await deployAgent(h, {
      files: {
        'server.js':
          "require('node:http').createServer((q, s) => { s.statusCode = 500; s.end(); }).listen(Number(process.env.PORT), '0.0.0.0');",
      },
      config: service(8000, { type: 'http', path: '/health', timeout_seconds: 1 }),
    });
    const created = await start(sick.deploymentId);
    const ended = await waitForService(sick.deploymentId, created.id, (s) => !LIVE.has(s.status));
    assert.equal(ended.status, 'failed');
    assert.match(
      ended.failure_reason,
      /readiness probe \(http GET \/health on port 8000\) did not pass within readiness.timeout_seconds \(1 s\); last error: GET \/health answered 500/,
    );
    assert.ok(ended.stopped_at);
    assert.ok(ended.readiness_status.consecutive_failures >= 2, JSON.stringify(ended));
    assert.equal(processAlive(ended.process_id), false);
    const res = await h.request('GET', `${base(sick.deploymentId)}/${created.id}/proxy/`);
    assert.equal(res.status, 503);
  });

  test('a service whose process exits fails with its exit code', async () => {
    const crashing = await deployAgent(h, {
      files: { 'server.js': "console.error('boom'); process.exit(3);" },
      config: service(8000, { type: 'http', path: '/', timeout_seconds: 20 }),
    });
    const created = await start(crashing.deploymentId);
    const ended = await waitForService(crashing.deploymentId, created.id, (s) => !LIVE.has(s.status));
    assert.equal(ended.status, 'failed');
    assert.equal(ended.failure_reason, 'entrypoint exited with code 3');
    assert.ok(ended.started_at && ended.stopped_at);
    const lines = await logs(crashing.deploymentId, created.id);
    assert.ok(lines.some((l) => l.stream === 'stderr' && l.text === 'boom'));
  });

  test('an install that fails ends the instance failed before the entrypoint runs', async () => {
    const bad = await deployAgent(h, {
      files: { 'server.js': ECHO },
      config: service(8000, { type: 'http', path: '/health' }, { install: 'echo installing; exit 4' }),
    });
    const created = await start(bad.deploymentId);
    const ended = await waitForService(bad.deploymentId, created.id, (s) => !LIVE.has(s.status));
    assert.equal(ended.status, 'failed');
    assert.equal(ended.failure_reason, 'install exited with code 4');
    assert.equal(ended.process_id, null);
    assert.ok((await logs(bad.deploymentId, created.id)).some((l) => l.text === 'installing'));
  });

  test('stop ends the instance stopped and its process is gone', async () => {
    const created = await start(echo.deploymentId);
    const ready = await waitForService(echo.deploymentId, created.id, (s) => s.status !== 'starting');
    assert.equal(ready.status, 'ready', ready.failure_reason);
    assert.equal(processAlive(ready.process_id), true);
    const stopped = await stopService(echo.deploymentId, created.id);
    assert.equal(stopped.status, 200, stopped.text);
    assert.equal(stopped.body.status, 'stopped');
    assert.equal(stopped.body.failure_reason, null);
    assert.ok(stopped.body.stopped_at);
    assert.equal(processAlive(ready.process_id), false);
    const again = await stopService(echo.deploymentId, created.id);
    assert.deepEqual(again.body, stopped.body);
    const res = await h.request('GET', `${base(echo.deploymentId)}/${created.id}/proxy/`);
    assert.equal(res.status, 503);
    assert.equal(res.body.error.code, 'service_unavailable');
    const list = await h.request('GET', `${base(echo.deploymentId)}?status=stopped&limit=200`);
    assert.ok(list.body.items.some((s: any) => s.id === created.id));
    assert.equal(list.body.next_cursor, null);
  });

  test('restart with new envs runs a new process that sees them, and the log continues', async () => {
    const created = await start(echo.deploymentId, { envs: { GREETING: 'hello' } });
    const first = await waitForService(echo.deploymentId, created.id, (s) => s.status !== 'starting');
    assert.equal(first.status, 'ready', first.failure_reason);
    const proxy = `${base(echo.deploymentId)}/${created.id}/proxy/`;
    assert.equal((await h.request('GET', proxy)).body.greeting, 'hello');

    const restarted = await h.request('POST', `${base(echo.deploymentId)}/${created.id}/restart`, {
      body: { envs: { GREETING: 'bonjour' } },
    });
    assert.equal(restarted.status, 200, restarted.text);
    assert.equal(restarted.body.status, 'starting');
    assert.equal(restarted.body.generation, 1);
    const second = await waitForService(
      echo.deploymentId,
      created.id,
      (s) => s.status !== 'starting' && s.process_id !== first.process_id,
    );
    assert.equal(second.status, 'ready', second.failure_reason);
    assert.equal(second.generation, 1);
    assert.notEqual(second.sandbox_id, first.sandbox_id);
    assert.equal(processAlive(first.process_id), false);
    assert.equal((await h.request('GET', proxy)).body.greeting, 'bonjour');

    // Both generations wrote to one log, numbered on.
    const lines = await waitForLogs(
      echo.deploymentId,
      created.id,
      (texts) => texts.filter((t) => t.startsWith('greeting ')).length === 2,
    );
    assert.ok(lines.every((l, i) => l.seq === i + 1));
    const texts = lines.map((l) => l.text);
    const restart = texts.findIndex((t) => t.startsWith('restart 1: starting version'));
    assert.ok(
      texts.indexOf('listening on 8000') < restart && texts.lastIndexOf('listening on 8000') > restart,
      JSON.stringify(texts),
    );
    // The env values never reach the log.
    assert.equal(texts.filter((t) => t === 'greeting [redacted]').length, 2);
    assert.ok(!/hello|bonjour/.test(JSON.stringify(texts.filter((t) => t.startsWith('greeting')))));
    await stopService(echo.deploymentId, created.id);
  });

  test('missing required envs are refused with 422', async () => {
    const strict = await deployAgent(h, {
      files: { 'server.js': ECHO },
      config: service(8000, { type: 'http', path: '/health' }, { env: { required: ['API_KEY'] } }),
    });
    const res = await h.request('POST', base(strict.deploymentId), {
      headers: { 'idempotency-key': key() },
      body: { envs: {} },
    });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.error.code, 'invalid_fields');
    assert.match(res.body.error.message, /API_KEY/);
  });

  test('a service cannot be started on a job deployment (409)', async () => {
    const job = await deployAgent(h, { files: { 'main.js': '' }, config: { entrypoint: 'node main.js' } });
    const res = await h.request('POST', base(job.deploymentId), {
      headers: { 'idempotency-key': key() },
      body: {},
    });
    assert.equal(res.status, 409, res.text);
    assert.equal(res.body.error.code, 'conflict');
  });

  test('creates require an idempotency key and replay the first answer', async () => {
    const missing = await h.request('POST', base(echo.deploymentId), { body: {} });
    assert.equal(missing.status, 400);
    const idem = key('same');
    const [a, b] = await Promise.all(
      [1, 2].map(() =>
        h.request('POST', base(echo.deploymentId), { headers: { 'idempotency-key': idem }, body: {} }),
      ),
    );
    assert.equal(a!.status, 201);
    assert.equal(b!.body.id, a!.body.id);
    assert.equal(a!.body.idempotency_key, idem);
    await stopService(echo.deploymentId, a!.body.id);
  });

  test('deleting a deployment stops its services', async () => {
    const doomed = await deployAgent(h, {
      files: { 'server.js': ECHO },
      config: service(8000, { type: 'http', path: '/health' }),
    });
    const created = await start(doomed.deploymentId);
    const ready = await waitForService(doomed.deploymentId, created.id, (s) => s.status !== 'starting');
    assert.equal(ready.status, 'ready', ready.failure_reason);
    assert.equal((await h.request('DELETE', `/v1/agent-deployments/${doomed.deploymentId}`)).status, 200);
    const ended = await waitForService(doomed.deploymentId, created.id, (s) => !LIVE.has(s.status));
    assert.equal(ended.status, 'stopped');
    assert.equal(processAlive(ready.process_id), false);
  });
});

describe('agent service admission', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ ATOLL_SANDBOX_CAPACITY: '1' });
  });
  after(() => h.close());

  test('a service over capacity gets 429 and nothing is written', async () => {
    const quiet = await deployAgent(h, {
      files: { 'server.js': 'setInterval(() => {}, 1000);' },
      config: service(7000, { type: 'timeout', timeout_seconds: 1 }),
    });
    const path = `/v1/agent-deployments/${quiet.deploymentId}/services`;
    const first = await h.request('POST', path, { headers: { 'idempotency-key': key() }, body: {} });
    assert.equal(first.status, 201, first.text);
    const jobsBefore = await h.database.db.selectFrom('jobs').select('id').execute();
    const second = await h.request('POST', path, { headers: { 'idempotency-key': key() }, body: {} });
    assert.equal(second.status, 429, second.text);
    assert.equal(second.body.error.code, 'capacity_exceeded');
    assert.equal(second.body.error.retryable, true);
    const list = await h.request('GET', path);
    assert.deepEqual(
      list.body.items.map((s: any) => s.id),
      [first.body.id],
    );
    assert.equal((await h.database.db.selectFrom('jobs').select('id').execute()).length, jobsBefore.length);
    // Once stopped, the slot is free again.
    assert.equal((await h.request('POST', `${path}/${first.body.id}/stop`)).body.status, 'stopped');
    const third = await h.request('POST', path, { headers: { 'idempotency-key': key() }, body: {} });
    assert.equal(third.status, 201, third.text);
    await h.request('POST', `${path}/${third.body.id}/stop`);
  });
});

function processAlive(pid: number | null): boolean {
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
