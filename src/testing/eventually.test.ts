import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eventually } from './eventually.ts';

describe('eventually', () => {
  test('returns the value of the first check that holds, as soon as it holds', async () => {
    let calls = 0;
    const started = Date.now();
    const value = await eventually(
      () => {
        calls++;
        assert.ok(calls >= 3, 'not yet');
        return `after ${calls}`;
      },
      { intervalMs: 5 },
    );
    assert.equal(value, 'after 3');
    assert.ok(Date.now() - started < 1000);
  });

  test('a predicate returning false is retried; undefined (a block of assertions) holds', async () => {
    let n = 0;
    assert.equal(await eventually(() => ++n > 2, { intervalMs: 1 }), true);
    assert.equal(await eventually(() => undefined), undefined);
  });

  test('fails after the timeout, naming what was awaited and why the last check failed', async () => {
    await assert.rejects(
      eventually(() => assert.equal(1, 2, 'one is not two'), {
        timeoutMs: 50,
        intervalMs: 10,
        message: 'arithmetic',
      }),
      (error: Error) => {
        assert.match(
          error.message,
          /^timed out after 50 ms \(\d+ checks\) waiting for arithmetic: one is not two/,
        );
        assert.ok(error.cause instanceof assert.AssertionError);
        return true;
      },
    );
    await assert.rejects(
      eventually(async () => false, { timeoutMs: 30 }),
      /the condition: the check returned false/,
    );
  });
});
