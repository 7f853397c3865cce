import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BOOTSTRAP_TOKEN, startHarness, type Harness } from '../testing/harness.ts';

/** Hostile snippets: each is contained, ends with the right state and code, and the server keeps serving. */
describe('hostile snippet code', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ ATOLL_SNIPPET_CPU_MS: '1000', ATOLL_SNIPPET_WALL_MS: '2000' });
  });
  after(() => h.close());

  async function run(code: string) {
    const res = await h.request('POST', '/v1/snippets:execute', { body: { code } });
    assert.equal(res.status, 200, res.text);
    const alive = await h.request('GET', '/v1/workspaces');
    assert.equal(alive.status, 200, 'the server keeps serving');
    return res.body as { result?: unknown; error?: string; stats: Record<string, number> };
  }

  test('process, require and import() are not there', async () => {
    assert.deepEqual(
      (await run('async () => [typeof process, typeof require, typeof module, typeof Buffer]')).result,
      ['undefined', 'undefined', 'undefined', 'undefined'],
    );
    assert.match(
      (await run('async () => { await import("node:fs"); return "imported" }')).error!,
      /^uncaught_exception: /,
    );
    assert.match(
      (await run('async () => require("fs")')).error!,
      /^uncaught_exception: require is not defined/,
    );
  });

  test("the Function constructor reaches only the isolate's own globals", async () => {
    const out = await run(`async () => [
      globalThis.constructor.constructor('return typeof process')(),
      await (async () => {}).constructor('return typeof require')(),
      Object.getOwnPropertyNames(globalThis).filter((k) => ['process', 'require', 'global', 'Buffer', 'setImmediate', 'module'].includes(k)),
    ]`);
    assert.deepEqual(out.result, ['undefined', 'undefined', []]);
  });

  test('Error.prepareStackTrace exposes only isolate frames, never host objects', async () => {
    const out = await run(`async () => {
      const seen = [];
      Error.prepareStackTrace = (error, frames) => frames.map((f) => {
        const fn = f.getFunction && f.getFunction();
        const self = f.getThis && f.getThis();
        let viaFn = 'none';
        try { viaFn = fn ? fn.constructor('return typeof process')() : 'none'; } catch (e) { viaFn = 'threw'; }
        return { file: f.getFileName(), self: typeof self, viaFn };
      });
      const frames = new Error('probe').stack;
      return { frames, processes: frames.filter((f) => f.viaFn === 'object').length };
    }`);
    const result = out.result as { frames: Array<{ file: string | null }>; processes: number };
    assert.equal(result.processes, 0);
    assert.ok(
      result.frames.every((f) => f.file === null || !/node:|\/node_modules\/|\/src\//.test(f.file)),
      JSON.stringify(result.frames),
    );
  });

  test('while (true) {} ends timed_out on the CPU limit', async () => {
    const out = await run('async () => { while (true) {} }');
    assert.match(out.error!, /^cpu_time_limit_exceeded: /);
    assert.ok(out.stats.cpu_time_ms! >= 950, String(out.stats.cpu_time_ms));
  });

  test('a promise that never resolves ends timed_out on the wall clock', async () => {
    const out = await run('async () => { await new Promise(() => {}); }');
    assert.match(out.error!, /^wall_time_limit_exceeded: /);
  });

  test('returning a 50 MiB string fails with result_too_large', async () => {
    const out = await run('async () => "x".repeat(50 * 1024 * 1024)');
    assert.match(out.error!, /^(result_too_large|memory_limit_exceeded): /);
    assert.equal(out.result, undefined);
  });

  test('cyclic and function-valued results fail with result_not_serializable', async () => {
    assert.match(
      (await run('async () => { const a = {}; a.self = a; return a; }')).error!,
      /^result_not_serializable: /,
    );
    assert.match((await run('async () => () => 1')).error!, /^result_not_serializable: /);
    assert.match(
      (await run('async () => ({ nested: { f() {} } })')).error!,
      /^result_not_serializable: .*function/,
    );
    assert.match((await run('async () => 10n')).error!, /^result_not_serializable: /);
  });

  test('10,000 platform.request() calls stop at the limit of 50, with a message naming it', async () => {
    const out = await run(`async () => {
      let ok = 0;
      for (let i = 0; i < 10000; i++) {
        try { await platform.request({ method: 'GET', path: '/v1/workspaces' }); ok++; }
        catch (e) { return { ok, name: e.name, message: e.message }; }
      }
      return { ok };
    }`);
    assert.deepEqual(out.result, {
      ok: 50,
      name: 'PlatformRequestLimitError',
      message: 'platform.request: at most 50 requests per run',
    });
    const uncaught = await run(
      `async () => { for (let i = 0; i < 10000; i++) await platform.request({ method: 'GET', path: '/v1/workspaces' }); }`,
    );
    assert.match(uncaught.error!, /^request_limit_exceeded: platform.request: at most 50 requests per run/);
  });

  test('more than 8 concurrent platform.request() calls are refused, exactly, however fast the first ones finish', async () => {
    const out = await run(`async () => {
      const results = await Promise.allSettled(Array.from({ length: 12 }, () => platform.request({ method: 'GET', path: '/v1/workspaces' })));
      return results.map((r) => r.status === 'fulfilled' ? 'ok' : r.reason.message);
    }`);
    const results = out.result as string[];
    assert.equal(results.filter((r) => r === 'ok').length, 8);
    assert.ok(results.filter((r) => r !== 'ok').every((r) => /at most 8 requests at once/.test(r)));
  });

  test('platform.request() refuses URLs, protocol-relative and dot-dot paths', async () => {
    for (const path of [
      'http://example.com/v1/workspaces',
      '//example.com/v1/workspaces',
      '/v1/../healthz',
      '/v1/%2e%2e/healthz',
      '/healthz',
      '/v1/workspaces\\x',
      '/v1/workspaces\r\nX: y',
    ]) {
      const out = await run(
        `async () => { try { await platform.request({ method: 'GET', path: ${JSON.stringify(path)} }); return 'allowed'; } catch (e) { return e.name + ': ' + e.message; } }`,
      );
      assert.match(String(out.result), /^PlatformRequestError: platform.request: /, path);
    }
  });

  test("platform.request() cannot reach another workspace's resources", async () => {
    const other = await h.newWorkspace('victim');
    const created = await h.request('POST', '/v1/snippets', {
      token: other.token,
      body: { name: 'secret', code: 'async () => "secret"', display_type: 'json' },
    });
    const id = created.body.snippet_id;
    const out = await run(`async () => {
      const direct = await platform.request({ method: 'GET', path: '/v1/snippets/${id}' });
      const run = await platform.request({ method: 'POST', path: '/v1/snippets/${id}/runs', body: {} });
      let withContext;
      try { await platform.request({ method: 'GET', path: '/v1/snippets', headers: { 'akua-context': '${other.id}' } }); withContext = 'allowed'; }
      catch (e) { withContext = e.message; }
      return [direct.status, run.status, withContext];
    }`);
    assert.deepEqual(out.result, [
      404,
      404,
      'platform.request: header "akua-context" may not be set by a snippet',
    ]);
  });

  test("the caller's token cannot be read back through request or response headers", async () => {
    const out = await run(`async () => {
      const attempts = [];
      for (const name of ['authorization', 'Authorization', 'cookie', 'x-forwarded-for', 'proxy-authorization', 'x-atoll-snippet-depth']) {
        try { await platform.request({ method: 'GET', path: '/v1/workspaces', headers: { [name]: 'x' } }); attempts.push(name + ': allowed'); }
        catch (e) { attempts.push(name + ': refused'); }
      }
      const tokens = await platform.request({ method: 'GET', path: '/v1/api_tokens' });
      const ws = await platform.request({ method: 'GET', path: '/v1/workspaces' });
      return { attempts, seen: JSON.stringify([tokens, ws]) };
    }`);
    const result = out.result as { attempts: string[]; seen: string };
    assert.ok(
      result.attempts.every((a) => a.endsWith('refused')),
      result.attempts.join(', '),
    );
    assert.ok(!result.seen.includes(BOOTSTRAP_TOKEN), 'the token never reaches the guest');
    assert.ok(!/authorization/i.test(result.seen));
  });
});
