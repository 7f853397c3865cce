import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../testing/harness.ts';

/**
 * F3: console limits hold inside the isolate, so a flood of console.log never queues on the host, and
 * the wall-clock and CPU limits hold whatever the guest logs.
 */
describe('console floods', () => {
  let h: Harness;
  const WALL_MS = 3000;
  before(async () => {
    h = await startHarness({
      ATOLL_EXECUTOR_PROCESSES: '1',
      ATOLL_SNIPPET_WALL_MS: String(WALL_MS),
      ATOLL_SNIPPET_CPU_MS: '60000',
      ATOLL_SNIPPET_LOG_BYTES: String(64 * 1024),
    });
  });
  after(() => h.close());

  /** Samples the executor processes' resident memory until stopped; resolves to the highest seen. */
  function watchRss() {
    let peak = 0;
    const timer = setInterval(() => {
      for (const { rssBytes } of h.atoll.executor.pool.memory()) peak = Math.max(peak, rssBytes ?? 0);
    }, 20);
    return () => {
      clearInterval(timer);
      return peak;
    };
  }

  test('an endless console.log flood ends at the wall-clock limit, and the executor stays small', async () => {
    const stop = watchRss();
    const started = performance.now();
    const res = await h.request('POST', '/v1/snippets:execute', {
      body: { code: "async () => { for (;;) console.log('x'.repeat(10000)); }" },
    });
    const elapsed = performance.now() - started;
    const peak = stop();
    assert.match(res.body.error, /^wall_time_limit_exceeded: /);
    assert.ok(elapsed >= WALL_MS * 0.9 && elapsed <= WALL_MS * 1.1, `ended after ${Math.round(elapsed)} ms`);
    assert.ok(peak > 0 && peak < 256 * 2 ** 20, `executor RSS peaked at ${Math.round(peak / 2 ** 20)} MB`);
  });

  test('a million console.log calls of 10 KB finish; entries up to the byte total are kept and the rest counted', async () => {
    const created = await h.request('POST', '/v1/snippets', {
      body: {
        name: 'flood',
        code: "async () => { for (let i = 0; i < 1e6; i++) console.log('x'.repeat(10000)); return 'done'; }",
        display_type: 'json',
      },
    });
    const stop = watchRss();
    const run = await h.request('POST', `/v1/snippets/${created.body.snippet_id}/runs`, { body: {} });
    const peak = stop();
    assert.equal(run.status, 201, run.text);
    if (run.body.state === 'succeeded') {
      assert.equal(run.body.output, 'done');
      // 64 KiB of console text in all: sixteen 4 KiB entries, the rest dropped and counted.
      assert.equal(run.body.logs.length, 16);
      assert.equal(run.body.logs_dropped, 1e6 - 16);
    } else {
      // A slow machine may not get through a million 10 KB strings in 3 s: then the wall limit ends it.
      assert.equal(run.body.error.code, 'wall_time_limit_exceeded');
      assert.ok(run.body.logs_dropped > 0);
    }
    assert.ok(peak < 256 * 2 ** 20, `executor RSS peaked at ${Math.round(peak / 2 ** 20)} MB`);
  });

  test('each console entry is at most 4,096 bytes of UTF-8, cut with "…", and entries stop at the byte total', async () => {
    const res = await h.request('POST', '/v1/snippets', {
      body: {
        name: 'wide',
        code: "async () => { console.log('é'.repeat(5000)); console.log('😀'.repeat(3000)); console.log('short'); for (let i = 0; i < 100; i++) console.log('y'.repeat(4000)); }",
        display_type: 'json',
      },
    });
    const run = await h.request('POST', `/v1/snippets/${res.body.snippet_id}/runs`, { body: {} });
    const logs = run.body.logs as Array<{ message: string }>;
    const bytes = logs.map((l) => Buffer.byteLength(l.message));
    assert.ok(
      bytes.every((b) => b <= 4096),
      JSON.stringify(bytes),
    );
    assert.ok(logs[0]!.message.endsWith('…') && bytes[0]! > 4090);
    assert.ok(logs[1]!.message.endsWith('…') && logs[1]!.message.isWellFormed());
    assert.equal(logs[2]!.message, 'short');
    assert.ok(bytes.reduce((a, b) => a + b, 0) <= 64 * 1024);
    assert.equal(logs.length + run.body.logs_dropped, 103);
  });
});
