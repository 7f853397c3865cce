import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../testing/harness.ts';
import { openSse as openStream } from '../testing/sse.ts';

describe('the event stream (SSE over a real socket)', () => {
  let h: Harness;
  let base: string;
  let agentId: string;
  before(async () => {
    h = await startHarness({ ATOLL_SSE_HEARTBEAT_MS: '200', ATOLL_SSE_BUFFER_BYTES: '16384' });
    base = await h.listen();
    agentId = (
      await h.request('POST', '/v1/agents', {
        body: { name: 's', instructions: 'x', capabilities: ['CHAT'] },
      })
    ).body.id;
  });
  after(() => h.close());

  let keys = 0;
  async function newTurn(extra: Record<string, unknown> = {}) {
    const session = await h.request('POST', '/v1/agent_sessions', { body: { agent_id: agentId, ...extra } });
    const turn = await h.request('POST', '/v1/agent_turns', {
      body: { session_id: session.body.id, message: 'go' },
    });
    return { sessionId: session.body.id as string, turnId: turn.body.id as string };
  }
  const emit = async (turnId: string, content: string, token?: string) => {
    const res = await h.request('POST', `/v1/agent_turns/${turnId}:emit`, {
      ...(token ? { token } : {}),
      headers: { 'idempotency-key': `s-${++keys}` },
      body: { data: { content } },
    });
    assert.equal(res.status, 201, res.text);
    return res.body as { cursor: string; sequence: number; id: string };
  };

  test('follow=false sends what exists, in order, and ends with an end frame', async () => {
    const { sessionId, turnId } = await newTurn();
    const sent = [await emit(turnId, 'a'), await emit(turnId, 'b'), await emit(turnId, 'c')];
    const s = openStream(`${base}/v1/agent_events:stream?session=${sessionId}`, h.token);
    assert.equal(await s.ready, 200);
    assert.match(s.response()!.headers['content-type']!, /^text\/event-stream/);
    await s.until(() => s.ended);
    const events = s.events();
    assert.deepEqual(
      events.map((f) => f.id),
      sent.map((e) => e.cursor),
    );
    assert.ok(events.every((f) => f.event === 'message.created'));
    const data = JSON.parse(events[1]!.data!);
    assert.equal(data.id, sent[1]!.id);
    assert.equal(data.data.content, 'b');
    const end = s.frames.at(-1)!;
    assert.equal(end.event, 'end');
    assert.deepEqual(JSON.parse(end.data!), { cursor: sent[2]!.cursor, has_more: false });
  });

  test('follow=false honours limit and after', async () => {
    const { sessionId, turnId } = await newTurn();
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await emit(turnId, `m${i}`));
    const s = openStream(
      `${base}/v1/agent_events:stream?session=${sessionId}&after=${sent[0]!.cursor}&limit=2`,
      h.token,
    );
    await s.until(() => s.ended);
    assert.deepEqual(
      s.events().map((f) => f.id),
      [sent[1]!.cursor, sent[2]!.cursor],
    );
    assert.deepEqual(JSON.parse(s.frames.at(-1)!.data!), { cursor: sent[2]!.cursor, has_more: true });
  });

  test('follow=true delivers an event emitted after the client connected, and sends heartbeats', async () => {
    const { sessionId, turnId } = await newTurn();
    const s = openStream(`${base}/v1/agent_events:stream?session=${sessionId}&follow=true`, h.token);
    await s.ready;
    // Live once heartbeats come (they start as the stream attaches), so the delay measured is delivery's.
    await s.until(() => s.frames.some((f) => f.comment === 'heartbeat'));
    const started = Date.now();
    const event = await emit(turnId, 'live');
    await s.until(() => s.events().length === 1);
    assert.ok(Date.now() - started < 1000);
    assert.equal(s.events()[0]!.id, event.cursor);
    await s.until(() => s.frames.some((f) => f.comment === 'heartbeat'));
    s.close();
  });

  test('Last-Event-ID resumes after that event, and wins over after', async () => {
    const { sessionId, turnId } = await newTurn();
    const sent = [await emit(turnId, '1'), await emit(turnId, '2'), await emit(turnId, '3')];
    const s = openStream(
      `${base}/v1/agent_events:stream?session=${sessionId}&after=${sent[0]!.cursor}`,
      h.token,
      {
        'last-event-id': sent[1]!.cursor,
      },
    );
    await s.until(() => s.ended);
    assert.deepEqual(
      s.events().map((f) => f.id),
      [sent[2]!.cursor],
    );
  });

  test('a bad cursor is 400 naming it', async () => {
    const res = await h.request('GET', '/v1/agent_events:stream?after=nonsense');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.errors[0].path, ['query', 'after']);
  });

  test('a client that disconnects at 200 random points and resumes gets every event exactly once, in order', async () => {
    const { sessionId, turnId } = await newTurn();
    const total = 600;
    let emitted = 0;
    const emitter = (async () => {
      for (; emitted < total; emitted++) {
        await emit(turnId, `e${emitted}`);
        if (emitted % 7 === 0) await new Promise((r) => setImmediate(r));
      }
    })();
    const received: string[] = [];
    let cursor: string | undefined;
    for (let reconnects = 0; reconnects < 200; reconnects++) {
      const s = openStream(
        `${base}/v1/agent_events:stream?session=${sessionId}&follow=true`,
        h.token,
        cursor ? { 'last-event-id': cursor } : {},
      );
      await s.ready;
      const stopAfter = Math.floor(Math.random() * 6) + 1;
      await s.until(
        () =>
          s.events().length >= stopAfter ||
          (emitted >= total && received.length + s.events().length >= total),
        5000,
      );
      s.close();
      for (const f of s.events()) received.push(f.id!);
      cursor = received.at(-1) ?? cursor;
    }
    await emitter;
    const rest = openStream(
      `${base}/v1/agent_events:stream?session=${sessionId}`,
      h.token,
      cursor ? { 'last-event-id': cursor } : {},
    );
    await rest.until(() => rest.ended);
    for (const f of rest.events()) received.push(f.id!);
    const stored = await h.database.db
      .selectFrom('agent_events')
      .select('position')
      .where('session_id', '=', sessionId)
      .orderBy('position')
      .execute();
    const expected = stored.map((r) => `e${r.position.toString(16).padStart(12, '0')}`);
    assert.equal(expected.length, total);
    assert.deepEqual(received, expected, 'every event once, in order');
  });

  test('filters narrow the stream; another workspace never sees the events', async () => {
    const parent = await newTurn();
    const child = await newTurn({ parent_session_id: parent.sessionId, agent_role: 'reviewer' });
    const other = await newTurn();
    const byParent = openStream(
      `${base}/v1/agent_events:stream?parent_session=${parent.sessionId}&follow=true`,
      h.token,
    );
    const byRole = openStream(
      `${base}/v1/agent_events:stream?agent_role=reviewer&turn=${child.turnId}&follow=true`,
      h.token,
    );
    const stranger = await h.newWorkspace('sse-stranger');
    const theirs = openStream(`${base}/v1/agent_events:stream?follow=true`, stranger.token);
    await Promise.all([byParent.ready, byRole.ready, theirs.ready]);
    for (const s of [byParent, byRole, theirs])
      await s.until(() => s.frames.some((f) => f.comment === 'heartbeat'));
    await emit(other.turnId, 'unrelated');
    const childEvent = await emit(child.turnId, 'from the child');
    await byParent.until(() => byParent.events().length === 1);
    await byRole.until(() => byRole.events().length === 1);
    assert.equal(byParent.events()[0]!.id, childEvent.cursor);
    assert.equal(byRole.events()[0]!.id, childEvent.cursor);
    await new Promise((r) => setTimeout(r, 300)); // deliberate window: nothing else may arrive
    assert.equal(byParent.events().length, 1);
    assert.equal(theirs.events().length, 0);
    for (const s of [byParent, byRole, theirs]) s.close();
  });

  test('a consumer that falls too far behind is closed with an overflow frame carrying its resume cursor', async () => {
    const { sessionId, turnId } = await newTurn();
    const s = openStream(`${base}/v1/agent_events:stream?session=${sessionId}&follow=true`, h.token);
    await s.ready;
    s.response()!.pause();
    (s.response()!.socket as unknown as { pause(): void }).pause();
    // Enough to fill the loopback socket buffers (several MB) before the stream's own 16 KiB queue.
    const big = 'x'.repeat(40_000);
    const sent = [];
    for (let i = 0; i < 320; i++) sent.push(await emit(turnId, `${i}:${big}`));
    await new Promise((r) => setTimeout(r, 200)); // deliberate: the server meets the paused reader for a while
    (s.response()!.socket as unknown as { resume(): void }).resume();
    s.response()!.resume();
    await s.until(() => s.ended, 10_000);
    const overflow = s.frames.find((f) => f.event === 'overflow');
    assert.ok(overflow, 'the stream ended with an overflow frame');
    const delivered = s.events().map((f) => f.id);
    assert.ok(delivered.length < sent.length, 'it was cut short');
    assert.equal(JSON.parse(overflow.data!).cursor, delivered.at(-1));
    assert.deepEqual(
      delivered,
      sent.slice(0, delivered.length).map((e) => e.cursor),
      'nothing skipped before the cut',
    );
    const resumed = openStream(
      `${base}/v1/agent_events:stream?session=${sessionId}&after=${JSON.parse(overflow.data!).cursor}`,
      h.token,
    );
    await resumed.until(() => resumed.ended);
    assert.deepEqual(
      [...delivered, ...resumed.events().map((f) => f.id)],
      sent.map((e) => e.cursor),
    );
  });

  test('the JSON list pages oldest first and follow=true waits for the next event', async () => {
    const { sessionId, turnId } = await newTurn();
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await emit(turnId, `p${i}`));
    const page1 = await h.request('GET', `/v1/agent_events?session=${sessionId}&limit=3`);
    assert.deepEqual(
      page1.body.data.map((e: any) => e.sequence),
      [1, 2, 3],
    );
    assert.equal(page1.body.has_more, true);
    const page2 = await h.request(
      'GET',
      `/v1/agent_events?session=${sessionId}&after=${page1.body.next_cursor}`,
    );
    assert.deepEqual(
      page2.body.data.map((e: any) => e.sequence),
      [4, 5],
    );
    assert.equal(page2.body.has_more, false);
    const waiting = h.request(
      'GET',
      `/v1/agent_events?session=${sessionId}&after=${sent[4]!.cursor}&follow=true`,
    );
    // No signal tells that the long poll is waiting; this makes it likely, and either way it must answer.
    await new Promise((r) => setTimeout(r, 150));
    const next = await emit(turnId, 'late');
    const res = await waiting;
    assert.deepEqual(
      res.body.data.map((e: any) => e.id),
      [next.id],
    );
  });
});

describe('events across processes', () => {
  test('on Postgres, a subscriber of another process gets an event within milliseconds (LISTEN/NOTIFY)', async (t) => {
    const h = await startHarness();
    try {
      const peer = await h.peer();
      if (!peer) {
        t.skip('PGlite is one process; set DATABASE_URL to run this on Postgres');
        return;
      }
      const agent = (
        await h.request('POST', '/v1/agents', {
          body: { name: 'x', instructions: 'x', capabilities: ['CHAT'] },
        })
      ).body.id;
      const session = (await h.request('POST', '/v1/agent_sessions', { body: { agent_id: agent } })).body.id;
      const turn = (
        await h.request('POST', '/v1/agent_turns', { body: { session_id: session, message: 'go' } })
      ).body.id;
      const { serve } = await import('@hono/node-server');
      const server = serve({ fetch: peer.app.fetch, hostname: '127.0.0.1', port: 0 });
      await new Promise<void>((r) => server.once('listening', () => r()));
      const port = (server.address() as { port: number }).port;
      const s = openStream(
        `http://127.0.0.1:${port}/v1/agent_events:stream?session=${session}&follow=true`,
        h.token,
      );
      await s.ready;
      // No signal tells that the stream is attached on the other server; this makes the latency measured delivery's.
      await new Promise((r) => setTimeout(r, 200));
      const started = Date.now();
      const emitted = await h.request('POST', `/v1/agent_turns/${turn}:emit`, {
        headers: { 'idempotency-key': 'cross-1' },
        body: { data: { content: 'across' } },
      });
      await s.until(() => s.events().length === 1, 4000);
      assert.ok(Date.now() - started < 1000, 'delivered by NOTIFY, not by the 5 s poll');
      assert.equal(s.events()[0]!.id, emitted.body.cursor);
      s.close();
      (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      await new Promise((r) => server.close(r));
    } finally {
      await h.close();
    }
  });
});
