/**
 * Following long event logs over a real socket: a stream that starts far behind (no cursor on a long
 * session, or a reconnect with a cursor thousands of events back) must catch up on every event, once and
 * in order, and then hand over to live delivery without a gap or a repeat, also while emits continue and
 * with filters that match a few events among many.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { newId } from '../db/ids.ts';
import { createTurn } from '../agents/test-fixtures.ts';
import { startHarness, type Harness } from '../testing/harness.ts';
import { openSse, type Frame } from '../testing/sse.ts';

/** Events per statement when filling a log (one round trip per batch, not per event). */
const BATCH = 500;

/** Checks that `frames` carry exactly the sequences from..to, each once, in order; names the first wrong one. */
function assertSequences(frames: Frame[], from: number, to: number): void {
  const sequences = frames.map((f) => (JSON.parse(f.data!) as { sequence: number }).sequence);
  for (let i = 0; i < sequences.length; i++) {
    if (sequences[i] !== from + i)
      assert.fail(
        `frame ${i} carries sequence ${sequences[i]}, expected ${from + i} (${sequences.length} frames; ` +
          `around it: ${sequences.slice(Math.max(0, i - 3), i + 3).join(', ')})`,
      );
  }
  assert.equal(sequences.length, to - from + 1, `expected sequences ${from}..${to}`);
}

describe('following a long event log (SSE over a real socket)', () => {
  let h: Harness;
  let base: string;
  before(async () => {
    h = await startHarness({ ATOLL_SSE_HEARTBEAT_MS: '500' });
    base = await h.listen();
  });
  after(() => h.close());

  async function newTurn() {
    const turn = await createTurn(h, { id: h.workspaceId, token: h.token });
    return { sessionId: turn.session_id as string, turnId: turn.id as string };
  }

  /**
   * Appends `count` message events to a turn through the append function the emit path calls
   * (atoll_append_event), BATCH per statement so that logs of thousands of events fill in seconds, then
   * wakes this process's followers as an emit does.
   */
  async function appendMany(turnId: string, count: number): Promise<void> {
    for (let done = 0; done < count; done += BATCH) {
      const n = Math.min(BATCH, count - done);
      const ids = JSON.stringify(Array.from({ length: n }, () => newId('evt')));
      const { rows } = await sql<{ position: number }>`
        SELECT a.event_position AS position
          FROM jsonb_array_elements_text(${ids}::jsonb) WITH ORDINALITY AS e(id, n),
               LATERAL atoll_append_event(${h.workspaceId}, ${turnId}, e.id, 'message.created',
                 jsonb_build_object('content', 'bulk ' || e.n), 'activity', NULL, NULL, NULL, NULL, NULL, false) a
         ORDER BY e.n`.execute(h.database.db);
      assert.equal(rows.length, n);
      h.atoll.events.log.bus.publish(h.workspaceId, Number(rows[rows.length - 1]!.position));
    }
  }

  let keys = 0;
  const emit = async (turnId: string, content: string) => {
    const res = await h.request('POST', `/v1/agent_turns/${turnId}:emit`, {
      headers: { 'idempotency-key': `long-${++keys}` },
      body: { data: { content } },
    });
    assert.equal(res.status, 201, res.text);
    return res.body as { cursor: string; sequence: number };
  };

  test('a follower with no cursor on a session of 1,250 events gets every one once, in order, then new ones live', async () => {
    const { sessionId, turnId } = await newTurn();
    await appendMany(turnId, 1250);
    const s = openSse(`${base}/v1/agent_events:stream?session=${sessionId}&follow=true`, h.token);
    assert.equal(await s.ready, 200);
    await s.untilEvents(1250);
    for (let i = 0; i < 5; i++) await emit(turnId, `live ${i}`);
    await s.untilEvents(1255);
    await new Promise((r) => setTimeout(r, 200)); // deliberate window: no event may arrive twice
    s.close();
    assertSequences(s.events(), 1, 1255);
  });

  test('a follower resuming from a cursor 10,000 events back gets every later event once, in order', async () => {
    const { sessionId, turnId } = await newTurn();
    await appendMany(turnId, 10_500);
    const from = await h.database.db
      .selectFrom('agent_events')
      .select('position')
      .where('session_id', '=', sessionId)
      .where('sequence', '=', 500)
      .executeTakeFirstOrThrow();
    const cursor = `e${from.position.toString(16).padStart(12, '0')}`;
    // A reconnecting EventSource: the cursor comes as Last-Event-ID.
    const s = openSse(`${base}/v1/agent_events:stream?session=${sessionId}&follow=true`, h.token, {
      'last-event-id': cursor,
    });
    assert.equal(await s.ready, 200);
    await s.untilEvents(10_000);
    await emit(turnId, 'live a');
    await emit(turnId, 'live b');
    await s.untilEvents(10_002);
    await new Promise((r) => setTimeout(r, 200)); // deliberate window: no event may arrive twice
    s.close();
    assertSequences(s.events(), 501, 10_502);
  });

  test('a follower that catches up while emits continue, next to one already live, gets every event once, in order', async () => {
    const { sessionId, turnId } = await newTurn();
    await appendMany(turnId, 1500);
    // Already live: its tail keeps moving while the second follower catches up.
    const live = openSse(`${base}/v1/agent_events:stream?session=${sessionId}&follow=true`, h.token, {
      'last-event-id': (await h.request('GET', `/v1/agent_sessions/${sessionId}`)).body
        .last_event_cursor as string,
    });
    await live.ready;
    let emitting = true;
    const emitter = (async () => {
      // 1,000 more: bulk batches and emits through the API, four at a time.
      for (let round = 0; round < 40; round++) {
        await appendMany(turnId, 15);
        await Promise.all([0, 1, 2, 3].map((i) => emit(turnId, `r${round}-${i}`)));
        await new Promise((r) => setImmediate(r));
      }
      emitting = false;
    })();
    await new Promise((r) => setTimeout(r, 20)); // deliberate: the emitter is under way before this follower opens
    const s = openSse(`${base}/v1/agent_events:stream?session=${sessionId}&follow=true`, h.token);
    assert.equal(await s.ready, 200);
    await emitter;
    assert.equal(emitting, false);
    await s.untilEvents(2260);
    await live.untilEvents(760);
    await new Promise((r) => setTimeout(r, 200)); // deliberate window: no event may arrive twice
    s.close();
    live.close();
    assertSequences(s.events(), 1, 2260);
    assertSequences(live.events(), 1501, 2260);
  });

  test('followers filtered to turns with a few or many events among thousands catch up fully and stay live', async () => {
    const few = await newTurn();
    const many = await newTurn();
    const busy = await newTurn();
    for (let round = 0; round < 10; round++) {
      await appendMany(busy.turnId, 250);
      await appendMany(many.turnId, 70);
      if (round % 4 === 0) await emit(few.turnId, `few ${round}`);
    }
    const byFew = openSse(`${base}/v1/agent_events:stream?turn=${few.turnId}&follow=true`, h.token);
    const byMany = openSse(`${base}/v1/agent_events:stream?turn=${many.turnId}&follow=true`, h.token);
    await Promise.all([byFew.ready, byMany.ready]);
    await byFew.untilEvents(3);
    await byMany.untilEvents(700);
    // Live again, among a busy neighbour.
    const neighbour = appendMany(busy.turnId, 1000);
    await emit(few.turnId, 'few live');
    await emit(many.turnId, 'many live');
    await neighbour;
    await byFew.untilEvents(4);
    await byMany.untilEvents(701);
    await new Promise((r) => setTimeout(r, 200)); // deliberate window: no event may arrive twice
    byFew.close();
    byMany.close();
    assertSequences(byFew.events(), 1, 4);
    assertSequences(byMany.events(), 1, 701);
    assert.ok(byMany.events().every((f) => JSON.parse(f.data!).turn_id === many.turnId));
  });
});
