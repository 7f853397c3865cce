import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../testing/harness.ts';

/**
 * F4: the memory limit covers every allocation a guest can make. The CPU limit here is far above what
 * filling 64 MB takes, so on a loaded machine the memory limit is still what stops these runs.
 */
describe('the memory limit of a snippet', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ ATOLL_SNIPPET_CPU_MS: '60000', ATOLL_SNIPPET_WALL_MS: '60000' });
  });
  after(() => h.close());

  async function execute(code: string) {
    const res = await h.request('POST', '/v1/snippets:execute', { body: { code } });
    assert.equal(res.status, 200, res.text);
    return res.body as { result?: unknown; error?: string };
  }

  test('allocating until out of memory fails with memory_limit_exceeded', async () => {
    const out = await execute(
      'async () => { const a = []; for (;;) a.push(new Array(10000).fill({ x: Math.random() })); }',
    );
    assert.match(out.error!, /^memory_limit_exceeded: /);
  });

  test('WebAssembly is not there, so no wasm memory can grow past the limit', async () => {
    assert.deepEqual(
      (await execute('async () => [typeof WebAssembly, "WebAssembly" in globalThis]')).result,
      ['undefined', false],
    );
    const grow = await execute(
      'async () => new WebAssembly.Memory({ initial: 1, maximum: 65536 }).grow(16383)',
    );
    assert.match(grow.error!, /^uncaught_exception: WebAssembly is not defined/);
  });

  test('ArrayBuffers, typed arrays and SharedArrayBuffers count against the limit', async () => {
    const out = await execute(`async () => {
      const outcomes = [];
      for (const make of [() => new ArrayBuffer(2 ** 30), () => new SharedArrayBuffer(2 ** 30), () => new Float64Array(2 ** 27)]) {
        try { make(); outcomes.push('allocated'); } catch (e) { outcomes.push(e.name); }
      }
      const kept = [];
      let total = 0;
      try { for (;;) { const b = new Uint8Array(8 * 1024 * 1024); b.fill(1); kept.push(b); total += b.length; } }
      catch (e) { outcomes.push(e.name); }
      return { outcomes, total };
    }`);
    const result = out.result as { outcomes: string[]; total: number };
    assert.deepEqual(result.outcomes, ['RangeError', 'RangeError', 'RangeError', 'RangeError']);
    assert.ok(result.total <= 64 * 1024 * 1024, `kept ${result.total} bytes of buffers`);
  });

  test('a string of 512 MiB fails with memory_limit_exceeded and the executor keeps serving', async () => {
    const out = await execute('async () => { const s = "x".repeat(2 ** 29 - 64); return s.indexOf("y"); }');
    assert.match(out.error!, /^memory_limit_exceeded: /);
    assert.equal((await execute('async () => "alive"')).result, 'alive');
  });
});

describe('the memory ceiling of an executor process', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      ATOLL_EXECUTOR_PROCESSES: '1',
      ATOLL_EXECUTOR_MAX_RSS_MB: '320',
      ATOLL_SNIPPET_CPU_MS: '60000',
      ATOLL_SNIPPET_WALL_MS: '60000',
    });
  });
  after(() => h.close());

  test('a run that grows its process past the ceiling ends memory_limit_exceeded; the runs beside it succeed', async () => {
    const victims = Array.from({ length: 4 }, (_, i) =>
      h.request('POST', '/v1/snippets:execute', {
        body: {
          code: 'async (inputs) => { const end = Date.now() + 500; while (Date.now() < end); return inputs.i; }',
          inputs: { i },
        },
      }),
    );
    await new Promise((r) => setTimeout(r, 50)); // the runs are under way (the pool gives no finer signal)
    // A large array grows far past the 64 MB heap limit before V8 stops it (it allows a gigabyte more).
    const grower = await h.request('POST', '/v1/snippets:execute', {
      body: { code: 'async () => { const a = new Array(2 ** 27).fill(1.5); return a.length; }' },
    });
    assert.match(grower.body.error, /^memory_limit_exceeded: /, grower.text);
    for (const [i, res] of (await Promise.all(victims)).entries()) assert.equal(res.body.result, i, res.text);
    for (const { rssBytes } of h.atoll.executor.pool.memory()) {
      assert.ok(rssBytes === undefined || rssBytes < 320 * 2 ** 20, `executor RSS ${rssBytes}`);
    }
  });
});
