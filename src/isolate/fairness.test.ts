import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../testing/eventually.ts';
import { startHarness, type Harness } from '../testing/harness.ts';
import { createFairQueue } from './fair-queue.ts';

/**
 * F7: executor slots are shared fairly between workspaces. One workspace holding every slot it may
 * have, with more of its executions queued, does not make another workspace's run wait for them.
 */
describe('executor slots shared between workspaces', () => {
  let h: Harness;
  const WALL_MS = 1500;
  before(async () => {
    // 2 processes × 4 slots; a workspace may hold half of them.
    h = await startHarness({
      ATOLL_EXECUTOR_PROCESSES: '2',
      ATOLL_EXECUTOR_CONCURRENCY: '4',
      ATOLL_SNIPPET_WALL_MS: String(WALL_MS),
    });
  });
  after(() => h.close());

  test("a workspace with 12 executions waiting on their wall clock does not delay another workspace's run", async () => {
    const other = await h.newWorkspace('b');
    const hogs = Array.from({ length: 12 }, () =>
      h.request('POST', '/v1/snippets:execute', {
        body: { code: 'async () => { await new Promise(() => {}); }' },
      }),
    );
    await eventually(
      () =>
        assert.equal(h.atoll.executor.pool.load().queued, 8, 'the hog holds its 4 slots and queues the rest'),
      { message: 'the hogs to fill the pool' },
    );
    const started = performance.now();
    const res = await h.request('POST', '/v1/snippets:execute', {
      body: { code: 'async () => "served"' },
      token: other.token,
    });
    const waited = performance.now() - started;
    assert.equal(res.body.result, 'served');
    // Behind the hog's queue it would wait for the wall clock of the running ones.
    assert.ok(waited < WALL_MS / 2, `waited ${Math.round(waited)} ms`);
    for (const hog of await Promise.all(hogs)) assert.match(hog.body.error, /^wall_time_limit_exceeded: /);
  });
});

describe('executor slots of one workspace', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ ATOLL_EXECUTOR_PROCESSES: '2', ATOLL_EXECUTOR_CONCURRENCY: '4' });
  });
  after(() => h.close());

  test('one workspace alone may use only its share of the slots; the rest wait', async () => {
    const done: number[] = [];
    const runs = Array.from({ length: 6 }, (_, i) =>
      h
        .request('POST', '/v1/snippets:execute', {
          body: {
            code: 'async (inputs) => { const end = Date.now() + 1000; while (Date.now() < end); return inputs.i; }',
            inputs: { i },
          },
        })
        .then((res) => done.push(res.body.result)),
    );
    const pool = h.atoll.executor.pool;
    await eventually(() => pool.load().running + pool.load().queued >= 6, {
      intervalMs: 5,
      message: 'the six runs to reach the pool',
    });
    assert.deepEqual(pool.load(), { running: 4, queued: 2 });
    await Promise.all(runs);
    assert.deepEqual(done.sort(), [0, 1, 2, 3, 4, 5]);
  });
});

describe('the fair queue', () => {
  test('serves tenants in turn, each in its own order, and skips tenants that may not run now', () => {
    const queue = createFairQueue<string>();
    for (const item of ['a1', 'a2', 'a3']) queue.push('a', item);
    queue.push('b', 'b1');
    queue.push('c', 'c1');
    queue.push('b', 'b2');
    const all = () => true;
    assert.deepEqual(
      [queue.take(all), queue.take(all), queue.take(all), queue.take(all)],
      ['a1', 'b1', 'c1', 'a2'],
    );
    assert.equal(
      queue.take((tenant) => tenant === 'c'),
      undefined,
    );
    assert.equal(
      queue.take((tenant) => tenant !== 'b'),
      'a3',
    );
    assert.equal(queue.size(), 1);
    assert.deepEqual(queue.drain(), ['b2']);
    assert.equal(queue.take(all), undefined);
  });
});
