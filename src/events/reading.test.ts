import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTurn } from '../agents/test-fixtures.ts';
import { startHarness, type Harness } from '../testing/harness.ts';

describe('listing events with follow=true (long poll)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('an empty page waits for the next matching event and answers as soon as it is emitted', async () => {
    const turn = await createTurn(h, { id: h.workspaceId, token: h.token });
    const emit = (n: number) =>
      h.request('POST', `/v1/agent_turns/${turn.id}:emit`, {
        body: { data: { content: String(n) } },
        headers: { 'idempotency-key': `poll-${n}` },
      });
    let cursor = (await emit(0)).body.cursor as string;
    for (let n = 1; n <= 6; n++) {
      const started = performance.now();
      const polled = h.request(
        'GET',
        `/v1/agent_events?session=${turn.session_id}&follow=true&limit=1&after=${encodeURIComponent(cursor)}`,
      );
      // Deliberate: emits race the poll's first read; whether the event lands before or after it, the poll sees it.
      await new Promise((r) => setTimeout(r, n - 1));
      const emitted = await emit(n);
      assert.equal(emitted.status, 201, emitted.text);
      const res = await polled;
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.data[0].data.content, String(n));
      assert.ok(performance.now() - started < 10_000, 'answered well before the 25 s long-poll deadline');
      cursor = emitted.body.cursor;
    }
  });
});
