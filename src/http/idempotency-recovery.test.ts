import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { childServer, type ChildServer } from '../testing/child-server.ts';

/** Busy for `ms` inside the isolate (the guest has no timers), after doing `before`. */
const slowCode = (ms: number, before = '') =>
  `async () => { ${before} const end = Date.now() + ${ms}; while (Date.now() < end) {} return "done"; }`;

describe('an idempotent request whose server was killed', () => {
  let server: ChildServer;
  before(async () => {
    server = await childServer();
    await server.start();
  });
  after(() => server.cleanup());

  /** Sends the request, kills the server while it runs, and starts a new server on the same store. */
  async function crashDuring(path: string, key: string): Promise<void> {
    const first = server.client.request('POST', path, { headers: { 'idempotency-key': key }, body: {} }).then(
      () => assert.fail('the first request must not get an answer'),
      () => {},
    );
    await new Promise((r) => setTimeout(r, 1500)); // it runs in the isolate now
    await server.kill();
    await first;
    await server.start();
  }

  const createSnippet = async (code: string) => {
    const res = await server.client.request('POST', '/v1/snippets', {
      body: { name: `s-${Date.now()}`, display_type: 'json', code },
    });
    assert.equal(res.status, 201, res.text);
    return res.body.snippet_id as string;
  };

  test('a retry after a restart executes it within seconds when it had changed nothing, and only once', async () => {
    const id = await createSnippet(slowCode(4000));
    await crashDuring(`/v1/snippets/${id}/runs`, 'crash-before-writing');
    const started = Date.now();
    const retry = await server.client.request('POST', `/v1/snippets/${id}/runs`, {
      headers: { 'idempotency-key': 'crash-before-writing' },
      body: {},
    });
    const took = Date.now() - started;
    assert.equal(retry.status, 201, retry.text);
    assert.equal(retry.body.state, 'succeeded');
    // 4 s of its own work, plus at most the 5 s lease of the dead owner's claim (Postgres), plus load.
    assert.ok(took < 25_000, `the retry took ${took} ms`);
    const again = await server.client.request('POST', `/v1/snippets/${id}/runs`, {
      headers: { 'idempotency-key': 'crash-before-writing' },
      body: {},
    });
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.body.id, retry.body.id);
    const runs = await server.client.request('GET', `/v1/snippets/${id}/runs`);
    assert.equal(runs.body.data.length, 1, 'the snippet ran to a recorded run exactly once');
  });

  test('a retry after a restart never executes it again once it had begun writing, and says so', async () => {
    const name = `made-by-snippet-${Date.now()}`;
    const id = await createSnippet(
      slowCode(
        4000,
        `await platform.request({ method: 'POST', path: '/v1/api_tokens', body: { name: '${name}' } });`,
      ),
    );
    await crashDuring(`/v1/snippets/${id}/runs`, 'crash-after-writing');
    const started = Date.now();
    const retry = await server.client.request('POST', `/v1/snippets/${id}/runs`, {
      headers: { 'idempotency-key': 'crash-after-writing' },
      body: {},
    });
    const took = Date.now() - started;
    assert.equal(retry.status, 409, retry.text);
    const [error] = retry.body.errors; // the snippets family's envelope
    assert.equal(error.metadata.status, 'IDEMPOTENCY_CONFLICT');
    assert.deepEqual(error.path, ['header', 'idempotency-key']);
    assert.match(error.message, /interrupted .* not executed again/);
    assert.ok(took < 15_000, `the retry took ${took} ms`);
    const tokens = await server.client.request('GET', '/v1/api_tokens');
    assert.equal(
      tokens.body.data.filter((t: { name: string }) => t.name === name).length,
      1,
      'the token the first attempt created exists once',
    );
    const runs = await server.client.request('GET', `/v1/snippets/${id}/runs`);
    assert.equal(runs.body.data.length, 0);
  });
});
