import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Agent, request as undiciRequest } from 'undici';
import { startHarness, type Harness } from '../testing/harness.ts';
import { checkPublishedResponse } from '../testing/published-api.ts';

describe('emitting agent events', () => {
  let h: Harness;
  let agentId: string;
  before(async () => {
    h = await startHarness();
    agentId = (
      await h.request('POST', '/v1/agents', {
        body: { name: 'emitter', instructions: 'x', capabilities: ['CHAT'] },
      })
    ).body.id;
  });
  after(() => h.close());

  let keys = 0;
  const key = () => ({ 'idempotency-key': `k-${++keys}` });
  async function newTurn(token?: string) {
    const opts = token ? { token } : {};
    const agent = token
      ? (
          await h.request('POST', '/v1/agents', {
            ...opts,
            body: { name: 'x', instructions: 'x', capabilities: ['CHAT'] },
          })
        ).body.id
      : agentId;
    const session = await h.request('POST', '/v1/agent_sessions', { ...opts, body: { agent_id: agent } });
    const turn = await h.request('POST', '/v1/agent_turns', {
      ...opts,
      body: { session_id: session.body.id, message: 'go' },
    });
    return { sessionId: session.body.id as string, turnId: turn.body.id as string, agentId: agent as string };
  }
  const emit = (turnId: string, body: unknown, headers: Record<string, string> = key()) =>
    h.request('POST', `/v1/agent_turns/${turnId}:emit`, { body, headers });

  test('the curl of seed 002 (no type, no role) returns 201 with every field of the seed', async () => {
    const { turnId, sessionId } = await newTurn();
    const res = await emit(turnId, { data: { content: 'hello' } });
    assert.equal(res.status, 201, res.text);
    const e = res.body;
    assert.deepEqual(Object.keys(e).sort(), [
      'agent_id',
      'created_at',
      'cursor',
      'data',
      'id',
      'sequence',
      'session_id',
      'turn_id',
      'type',
      'workspace_id',
    ]);
    assert.match(e.id, /^evt_[a-z2-7]{26}$/);
    assert.equal(e.workspace_id, h.workspaceId);
    assert.equal(e.agent_id, agentId);
    assert.equal(e.session_id, sessionId);
    assert.equal(e.turn_id, turnId);
    assert.equal(e.sequence, 1);
    assert.equal(typeof e.cursor, 'string');
    assert.equal(e.type, 'message.created');
    assert.ok(Number.isInteger(e.created_at));
    assert.deepEqual(e.data, { role: 'assistant', content: 'hello' });
  });

  test('each intent becomes its event type, and sequences count 1, 2, 3… per session', async () => {
    const { turnId } = await newTurn();
    const { sessionId: childSession } = await newTurn();
    const intents: Array<[unknown, string]> = [
      [{ type: 'message', data: { role: 'system', content: 'x' } }, 'message.created'],
      [
        { type: 'widget', data: { widget_type: 'status_card', schema_version: 1, title: 't' } },
        'widget.created',
      ],
      [{ type: 'artifact', data: { artifact_type: 'diff', title: 'patch' } }, 'artifact.created'],
      [{ type: 'progress', data: { state: 'RUNNING', message: 'working' } }, 'progress.updated'],
      [
        { type: 'execution_environment', data: { state: 'STARTED', message: 'up', sandbox_id: 'sbx_1' } },
        'execution_environment.started',
      ],
      [
        { type: 'execution_environment', data: { state: 'FAILED', message: 'down' } },
        'execution_environment.failed',
      ],
      [
        { type: 'handoff_summary', data: { child_session_id: childSession, summary: 's' } },
        'handoff_summary.created',
      ],
    ];
    for (const [i, [body, type]] of intents.entries()) {
      const res = await emit(turnId, body);
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.type, type);
      assert.equal(res.body.sequence, i + 1);
    }
    const widget = (await h.request('GET', `/v1/agent_events?turn=${turnId}`)).body.data[1];
    assert.deepEqual(widget.data.resource_refs, [], 'defaults are applied');
  });

  test("every intent's limits are enforced, naming the field", async () => {
    const { turnId } = await newTurn();
    const cases: Array<[unknown, string[]]> = [
      [{ type: 'message', data: { content: '' } }, ['body', 'data', 'content']],
      [{ type: 'message', data: { content: 'x'.repeat(50_001) } }, ['body', 'data', 'content']],
      [{ type: 'message', data: { role: 'user', content: 'x' } }, ['body', 'data', 'role']],
      [{ type: 'message', data: { content: 'x', extra: 1 } }, ['body', 'data', 'extra']],
      [
        { type: 'widget', data: { widget_type: 'banner', schema_version: 1 } },
        ['body', 'data', 'widget_type'],
      ],
      [
        { type: 'widget', data: { widget_type: 'form', schema_version: 0 } },
        ['body', 'data', 'schema_version'],
      ],
      [
        { type: 'widget', data: { widget_type: 'form', schema_version: 1, title: 'x'.repeat(201) } },
        ['body', 'data', 'title'],
      ],
      [
        { type: 'widget', data: { widget_type: 'form', schema_version: 1, actions: Array(21).fill({}) } },
        ['body', 'data', 'actions'],
      ],
      [{ type: 'artifact', data: { artifact_type: 'diff', title: '' } }, ['body', 'data', 'title']],
      [
        { type: 'artifact', data: { artifact_type: 'diff', title: 't', resource_refs: [{ resource: 'x' }] } },
        ['body', 'data', 'resource_refs', '0', 'id'],
      ],
      [{ type: 'progress', data: { state: 'DONE', message: 'x' } }, ['body', 'data', 'state']],
      [
        { type: 'progress', data: { state: 'RUNNING', message: 'x'.repeat(2001) } },
        ['body', 'data', 'message'],
      ],
      [{ type: 'execution_environment', data: { state: 'STARTED' } }, ['body', 'data', 'message']],
      [
        { type: 'approval_request', data: { title: 't', summary: 'x'.repeat(5001) } },
        ['body', 'data', 'summary'],
      ],
      [
        {
          type: 'handoff_summary',
          data: { child_session_id: 'ags_x', summary: 's', decision_points: Array(21).fill('d') },
        },
        ['body', 'data', 'decision_points'],
      ],
      [
        { type: 'handoff_summary', data: { child_session_id: 'ags_nosuchsession', summary: 's' } },
        ['body', 'data', 'child_session_id'],
      ],
      [{ type: 'shout', data: {} }, ['body', 'type']],
    ];
    for (const [body, path] of cases) {
      const res = await emit(turnId, body);
      assert.equal(res.status, 422, `${JSON.stringify(body).slice(0, 80)}: ${res.text}`);
      assert.ok(
        res.body.errors.some((e: any) => JSON.stringify(e.path) === JSON.stringify(path)),
        `${JSON.stringify(path)} in ${JSON.stringify(res.body.errors.map((e: any) => e.path))}`,
      );
    }
    assert.equal(
      (await h.request('GET', `/v1/agent_events?turn=${turnId}`)).body.data.length,
      0,
      'nothing was appended',
    );
  });

  test('idempotency-key is required: 422 naming it, the refusal status the published operation lists', async () => {
    const { turnId } = await newTurn();
    const res = await emit(turnId, { data: { content: 'x' } }, {});
    assert.equal(res.status, 422);
    assert.deepEqual(checkPublishedResponse('agentTurns.emit', res.status, res.body), []);
    assert.deepEqual(res.body.errors[0].path, ['header', 'idempotency-key']);
  });

  test('a replay returns the same event; the same key with another body is 409', async () => {
    const { turnId } = await newTurn();
    const headers = { 'idempotency-key': 'emit-once' };
    const first = await emit(turnId, { type: 'message', data: { content: 'once' } }, headers);
    const again = await emit(
      turnId,
      { data: { content: 'once', role: 'assistant' }, type: 'message' },
      headers,
    );
    assert.equal(again.status, 201);
    assert.deepEqual(again.body, first.body, 'same id, sequence and cursor');
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    const other = await emit(turnId, { type: 'message', data: { content: 'different' } }, headers);
    assert.equal(other.status, 409);
    assert.equal(other.body.errors[0].metadata.status, 'IDEMPOTENCY_CONFLICT');
    assert.equal((await h.request('GET', `/v1/agent_events?turn=${turnId}`)).body.data.length, 1);
  });

  test('concurrent replays of one key append one event, also across turns', async () => {
    const a = await newTurn();
    const b = await newTurn();
    const headers = { 'idempotency-key': 'race-key' };
    const body = { type: 'message', data: { content: 'race' } };
    const same = await Promise.all(Array.from({ length: 20 }, () => emit(a.turnId, body, headers)));
    assert.ok(same.every((r) => r.status === 201 && r.body.id === same[0]!.body.id));
    const other = await Promise.all(Array.from({ length: 6 }, () => emit(b.turnId, body, headers)));
    assert.ok(
      other.every((r) => r.status === 409),
      'the key already named an emit into another turn',
    );
    const count = await h.database.db
      .selectFrom('agent_events')
      .select('id')
      .where('idempotency_key', '=', 'race-key')
      .execute();
    assert.equal(count.length, 1);
  });

  test('turn state follows its events: first emit RUNNING, progress COMPLETED ends it, then 409', async () => {
    const { turnId } = await newTurn();
    const state = async () => (await h.request('GET', `/v1/agent_turns/${turnId}`)).body;
    assert.equal((await state()).state, 'QUEUED');
    await emit(turnId, { data: { content: 'start' } });
    const running = await state();
    assert.equal(running.state, 'RUNNING');
    assert.equal(typeof running.started_at, 'number');
    await emit(turnId, { type: 'progress', data: { state: 'WAITING', message: 'need input' } });
    assert.equal((await state()).state, 'WAITING_FOR_INPUT');
    await emit(turnId, { type: 'progress', data: { state: 'COMPLETED', message: 'done' } });
    const done = await state();
    assert.equal(done.state, 'COMPLETED');
    assert.equal(typeof done.completed_at, 'number');
    const late = await emit(turnId, { data: { content: 'too late' } });
    assert.equal(late.status, 409);
    assert.equal(late.body.errors[0].metadata.reason, 'turn_terminal');
  });

  test('progress FAILED fails the turn with the agent\u2019s message', async () => {
    const { turnId } = await newTurn();
    await emit(turnId, { type: 'progress', data: { state: 'FAILED', message: 'disk full' } });
    const turn = (await h.request('GET', `/v1/agent_turns/${turnId}`)).body;
    assert.equal(turn.state, 'FAILED');
    assert.deepEqual(turn.failure, { code: 'agent_reported_failure', message: 'disk full' });
  });

  test('an approval_request intent creates a pending approval, announced as an approval card', async () => {
    const { turnId, sessionId } = await newTurn();
    const res = await emit(turnId, {
      type: 'approval_request',
      data: { title: 'Deploy?', summary: 'to prod', actions: [{ id: 'go' }] },
    });
    assert.equal(res.body.type, 'widget.created');
    assert.equal(res.body.data.widget_type, 'approval_card');
    const approvalId = res.body.data.approval_request_id;
    const approvals = await h.request('GET', `/v1/approval_requests?session=${sessionId}`);
    const approval = approvals.body.data.find((a: any) => a.id === approvalId);
    assert.equal(approval.state, 'PENDING');
    assert.equal(approval.title, 'Deploy?');
    assert.equal((await h.request('GET', `/v1/agent_turns/${turnId}`)).body.state, 'WAITING_FOR_PERMISSION');
    assert.equal(
      (await h.request('GET', `/v1/agent_sessions/${sessionId}`)).body.state,
      'WAITING_FOR_PERMISSION',
    );
    const resolved = await h.request('POST', `/v1/approval_requests/${approvalId}:resolve`, {
      headers: { 'if-match': approval.etag, 'idempotency-key': 'resolve-1' },
      body: { decision: 'APPROVE' },
    });
    assert.equal(resolved.status, 200);
    assert.equal((await h.request('GET', `/v1/agent_turns/${turnId}`)).body.state, 'RUNNING');
  });

  test("another workspace's turn is 404", async () => {
    const other = await h.newWorkspace('emit-other');
    const theirs = await newTurn(other.token);
    const res = await emit(theirs.turnId, { data: { content: 'x' } });
    assert.equal(res.status, 404);
  });

  test('8 connections × 200 concurrent emits into one session give sequences exactly 1..1600', async () => {
    const { turnId, sessionId } = await newTurn();
    const base = await h.listen();
    const dispatcher = new Agent({ connections: 8, pipelining: 1 });
    const results = await Promise.all(
      Array.from({ length: 1600 }, (_, i) =>
        undiciRequest(`${base}/v1/agent_turns/${turnId}:emit`, {
          method: 'POST',
          dispatcher,
          headers: {
            authorization: `Bearer ${h.token}`,
            'content-type': 'application/json',
            'idempotency-key': `bulk-${i}`,
          },
          body: JSON.stringify({ type: 'message', data: { content: `m${i}` } }),
        }).then(async (r) => ({
          status: r.statusCode,
          body: (await r.body.json()) as { sequence: number; cursor: string },
        })),
      ),
    );
    await dispatcher.close();
    assert.ok(results.every((r) => r.status === 201));
    const sequences = results.map((r) => r.body.sequence).sort((a, b) => a - b);
    assert.deepEqual(
      sequences,
      Array.from({ length: 1600 }, (_, i) => i + 1),
    );
    const stored = await h.database.db
      .selectFrom('agent_events')
      .select(['sequence', 'position'])
      .where('session_id', '=', sessionId)
      .orderBy('position')
      .execute();
    assert.deepEqual(
      stored.map((r) => r.sequence),
      Array.from({ length: 1600 }, (_, i) => i + 1),
      'sequence order is position order',
    );
    const session = (await h.request('GET', `/v1/agent_sessions/${sessionId}`)).body;
    assert.equal(session.last_event_cursor, results.find((r) => r.body.sequence === 1600)!.body.cursor);
  });
});

describe('event listing is per workspace', () => {
  test("a workspace's list and filters never show another workspace's events", async () => {
    const h = await startHarness();
    try {
      const agent = (
        await h.request('POST', '/v1/agents', {
          body: { name: 'x', instructions: 'x', capabilities: ['CHAT'] },
        })
      ).body.id;
      const session = (await h.request('POST', '/v1/agent_sessions', { body: { agent_id: agent } })).body.id;
      const turn = (
        await h.request('POST', '/v1/agent_turns', { body: { session_id: session, message: 'go' } })
      ).body.id;
      await h.request('POST', `/v1/agent_turns/${turn}:emit`, {
        headers: { 'idempotency-key': 'iso-1' },
        body: { data: { content: 'mine' } },
      });
      const other = await h.newWorkspace('list-other');
      for (const query of ['', `?session=${session}`, `?turn=${turn}`]) {
        const res = await h.request('GET', `/v1/agent_events${query}`, { token: other.token });
        assert.equal(res.status, 200);
        assert.deepEqual(res.body.data, [], query);
      }
      assert.equal((await h.request('GET', '/v1/agent_events')).body.data.length, 1);
    } finally {
      await h.close();
    }
  });
});
