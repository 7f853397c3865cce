import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../testing/eventually.ts';
import { startHarness, type Harness } from '../testing/harness.ts';

/**
 * F2: one snippet never hurts another caller's runs. Nothing a guest shapes is serialised recursively
 * on the host, and a dying executor process takes down no run but the one that killed it.
 */
describe("runs of one caller survive what another caller's snippet does to its executor", () => {
  let h: Harness;
  let victim: { id: string; token: string };
  before(async () => {
    // One executor process: every run below shares it with the attackers.
    h = await startHarness({ ATOLL_EXECUTOR_PROCESSES: '1', ATOLL_SNIPPET_WALL_MS: '20000' });
    victim = await h.newWorkspace('victim');
  });
  after(() => h.close());

  const deepResult = (levels: number) =>
    `async () => { let o = 1; for (let i = 0; i < ${levels}; i++) o = { o }; return o; }`;
  /** A victim: a little CPU work, long enough to be running when the attackers strike. */
  const victimCode = `async (inputs) => { const end = Date.now() + 300; let n = 0; while (Date.now() < end) n++; return { i: inputs.i, done: true }; }`;

  async function execute(code: string, options: { token?: string; inputs?: unknown } = {}) {
    return h.request('POST', '/v1/snippets:execute', {
      body: { code, ...(options.inputs === undefined ? {} : { inputs: options.inputs }) },
      ...(options.token ? { token: options.token } : {}),
    });
  }

  test('a result nested 5,000 deep fails with invalid_result, and the server keeps serving', async () => {
    const res = await execute(deepResult(5000));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.error, 'invalid_result: the result is nested deeper than 64 levels');
    assert.equal((await execute('async () => "alive"')).body.result, 'alive');
  });

  test('a result nested a million deep fails with invalid_result too', async () => {
    const res = await execute(deepResult(1_000_000));
    assert.equal(res.body.error, 'invalid_result: the result is nested deeper than 64 levels');
  });

  test('a result 64 levels deep is returned; 65 levels is invalid_result', async () => {
    const ok = await execute(deepResult(63)); // 63 wrappers around 1: 63 objects, depth 63
    assert.equal(ok.body.error, undefined, ok.text);
    let depth = 0;
    for (let o = ok.body.result; typeof o === 'object'; o = o.o) depth++;
    assert.equal(depth, 63);
    assert.equal((await execute(deepResult(64))).body.error, undefined);
    assert.match((await execute(deepResult(65))).body.error, /^invalid_result: /);
  });

  test('inputs nested 2,000 deep (a 10 KB body) are refused with 422 before any code runs', async () => {
    const body = `{"code":"async () => 1","inputs":{"a":${'['.repeat(2000)}${']'.repeat(2000)}}}`;
    const res = await h.request('POST', '/v1/snippets:execute', {
      raw: body,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body.errors[0].path.slice(0, 3), ['body', 'inputs', 'a']);
    assert.equal((await execute('async () => "alive"')).body.result, 'alive');
  });

  test('a persisted run whose result is too deep is recorded failed with invalid_result', async () => {
    const created = await h.request('POST', '/v1/snippets', {
      body: { name: 'deep', code: deepResult(5000), display_type: 'json' },
    });
    assert.equal(created.status, 201, created.text);
    const run = await h.request('POST', `/v1/snippets/${created.body.snippet_id}/runs`, { body: {} });
    assert.equal(run.status, 201, run.text);
    assert.equal(run.body.state, 'failed');
    assert.equal(run.body.error.code, 'invalid_result');
  });

  test('results and console text with NUL or unpaired surrogates are stored safely', async () => {
    const nul = await execute('async () => ({ a: "x\\u0000y" })');
    assert.match(nul.body.error, /^invalid_result: the result contains the character U\+0000/);
    const lone = await execute('async () => ["a\\ud800b"]');
    assert.match(lone.body.error, /^invalid_result: the result contains an unpaired surrogate/);
    const created = await h.request('POST', '/v1/snippets', {
      body: {
        name: 'nul logs',
        code: 'async () => { console.log("a\\u0000b\\ud800c"); throw new Error("bad\\u0000news\\udc00"); }',
        display_type: 'json',
      },
    });
    const run = await h.request('POST', `/v1/snippets/${created.body.snippet_id}/runs`, { body: {} });
    assert.equal(run.status, 201, run.text);
    assert.equal(run.body.logs[0].message, 'a\ufffdb\ufffdc');
    assert.equal(run.body.error.message, 'bad\ufffdnews\ufffd');
  });

  test('12 runs of another workspace succeed while 2 attackers return results nested 5,000 deep beside them', async () => {
    const victims = Array.from({ length: 12 }, (_, i) =>
      execute(victimCode, { token: victim.token, inputs: { i } }),
    );
    await eventually(() => h.atoll.executor.pool.load().running > 0, {
      intervalMs: 5,
      message: 'the victims to be running',
    });
    const attackers = [execute(deepResult(5000)), execute(deepResult(5000))];
    const results = await Promise.all(victims);
    for (const [i, res] of results.entries()) {
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body.result, { i, done: true }, res.text);
    }
    for (const res of await Promise.all(attackers)) assert.match(res.body.error, /^invalid_result: /);
  });

  test('when an executor process dies, its runs that changed nothing run again alone and succeed', async () => {
    const victims = Array.from({ length: 12 }, (_, i) =>
      execute(victimCode, { token: victim.token, inputs: { i } }),
    );
    // The victims are under way in the processes (the pool gives no finer signal).
    await new Promise((r) => setTimeout(r, 150));
    await h.atoll.executor.pool.killOne();
    for (const [i, res] of (await Promise.all(victims)).entries()) {
      assert.deepEqual(res.body.result, { i, done: true }, res.text);
    }
    assert.equal((await execute('async () => "back"')).body.result, 'back');
  });

  test('a run that made a write request is not run twice when its executor dies: it ends executor_lost', async () => {
    const writer = h.request('POST', '/v1/snippets:execute', {
      body: {
        code: `async () => {
          await platform.request({ method: 'POST', path: '/v1/snippets', body: { name: 'written once', code: 'async () => 1', display_type: 'json' } });
          await new Promise(() => {});
        }`,
      },
    });
    // Wait until the write has happened, then kill the process the writer runs in.
    await eventually(
      async () => {
        const list = await h.request('GET', '/v1/snippets?limit=100');
        return list.body.data.some((s: { name: string }) => s.name === 'written once');
      },
      { intervalMs: 25, message: 'the write of the run' },
    );
    await h.atoll.executor.pool.killOne();
    const res = await writer;
    assert.match(res.body.error, /^executor_lost: .*not run again/);
    const list = await h.request('GET', '/v1/snippets?limit=100');
    assert.equal(list.body.data.filter((s: { name: string }) => s.name === 'written once').length, 1);
  });
});
