import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../testing/harness.ts';
import { createNestingGate } from './nesting.ts';

/**
 * A fan-out: each level starts `inputs.code` 8 times at once and sums what ran and what was refused.
 * Every nested execution then keeps its slot for a second, so that none frees its place while the
 * others are admitted: everything that runs is in flight at once, whatever the machine's speed.
 */
const FAN_OUT = `async (inputs) => {
  const rs = await Promise.all(Array.from({ length: 8 }, () =>
    platform.request({ method: 'POST', path: '/v1/snippets:execute', body: { code: inputs.code, inputs: { ...inputs, level: (inputs.level ?? 0) + 1 } } })));
  let ran = 1;
  const refused = {};
  const count = (k, n) => { refused[k] = (refused[k] ?? 0) + n; };
  for (const r of rs) {
    if (r.status === 200 && r.body.result) {
      ran += r.body.result.ran;
      for (const [k, n] of Object.entries(r.body.result.refused)) count(k, n);
    } else count(r.status + ' ' + (r.body.errors ? r.body.errors[0].metadata.reason : r.body.error), 1);
  }
  if (inputs.level > 0) { const end = Date.now() + 1000; while (Date.now() < end); }
  return { ran, refused };
}`;

/** Starts 8 copies of a child that keeps its slot for a while, and reports their statuses. */
const SLOW_CHILDREN = `async () => {
  const child = 'async () => { const end = Date.now() + 400; while (Date.now() < end); return 1; }';
  const rs = await Promise.all(Array.from({ length: 8 }, () =>
    platform.request({ method: 'POST', path: '/v1/snippets:execute', body: { code: child } })));
  return rs.map((r) => r.status);
}`;

describe('nested executions (F7)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ ATOLL_SNIPPET_WORKSPACE_NESTED: '12' });
  });
  after(() => h.close());

  test('a fan-out of 8 per level runs at most 8 nested executions under one run; the rest get 429 at once', async () => {
    const res = await h.request('POST', '/v1/snippets:execute', {
      body: { code: FAN_OUT, inputs: { code: FAN_OUT } },
    });
    assert.equal(res.status, 200, res.text);
    // Unbounded this was 1 + 8 + 64 executions (and 512 refused at depth 3). Bounded, at most 8
    // nested ones are in flight, and (as each holds its slot) at most 8 run; the rest are refused.
    const { ran, refused } = res.body.result as { ran: number; refused: Record<string, number> };
    assert.ok(ran >= 2 && ran <= 9, `ran ${ran}`);
    assert.ok(refused['429 nested_execution_limit']! > 0, JSON.stringify(refused));
  });

  test("nested executions in flight are bounded per workspace too, and one workspace's bound is not another's", async () => {
    const other = await h.newWorkspace('other');
    const [a, b, c] = await Promise.all([
      h.request('POST', '/v1/snippets:execute', { body: { code: SLOW_CHILDREN } }),
      h.request('POST', '/v1/snippets:execute', { body: { code: SLOW_CHILDREN } }),
      h.request('POST', '/v1/snippets:execute', { body: { code: SLOW_CHILDREN }, token: other.token }),
    ]);
    const statuses = [...a.body.result, ...b.body.result] as number[];
    // Two runs of one workspace want 16 children at once; its bound is 12.
    assert.equal(statuses.filter((s) => s === 200).length, 12, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s === 429).length, 4);
    assert.deepEqual(c.body.result, Array(8).fill(200));
  });

  test('a client cannot pose as a nested execution: lineage is never read from headers', async () => {
    const res = await h.request('POST', '/v1/snippets:execute', {
      body: { code: 'async () => 1' },
      headers: { 'x-atoll-snippet-depth': '7', 'x-atoll-lineage': 'tree' },
    });
    assert.equal(res.body.result, 1);
  });
});

describe('the nesting gate', () => {
  test('admits up to the tree and workspace bounds, and a release frees its place once', () => {
    const gate = createNestingGate({ perTree: 2, perWorkspace: 3 });
    const a1 = gate.enter('a', 'ws');
    const a2 = gate.enter('a', 'ws');
    assert.equal(typeof a1, 'function');
    assert.equal(typeof a2, 'function');
    assert.match(gate.enter('a', 'ws') as string, /at most 2 nested snippet executions/);
    const b1 = gate.enter('b', 'ws');
    assert.equal(typeof b1, 'function');
    assert.match(gate.enter('c', 'ws') as string, /workspace has 3 nested snippet executions/);
    assert.equal(typeof gate.enter('c', 'other'), 'function');
    (a1 as () => void)();
    (a1 as () => void)();
    assert.equal(gate.inFlight('ws'), 2);
    assert.equal(typeof gate.enter('a', 'ws'), 'function');
  });
});
