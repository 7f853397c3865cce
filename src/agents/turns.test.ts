import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../testing/harness.ts';
import { lookupAgentTurn } from './module.ts';
import {
  createAgent,
  createSession,
  createTurn,
  errorPaths,
  eventsOf,
  isUnixSeconds,
  moveTo,
  ZERO_USAGE,
  type Actor,
} from './test-fixtures.ts';

const TURN_FIELDS = [
  'admission_error',
  'agent_id',
  'completed_at',
  'created_at',
  'created_by',
  'decision_reason',
  'etag',
  'failure',
  'id',
  'input',
  'model',
  'organization_id',
  'origin',
  'resolved_execution_mode',
  'runtime_decision',
  'runtime_hint',
  'session_id',
  'started_at',
  'state',
  'updated_at',
  'usage_summary',
  'workspace_id',
];

describe('agent turns', () => {
  let h: Harness;
  let me: Actor;
  let session: any;
  before(async () => {
    h = await startHarness();
    me = { id: h.workspaceId, token: h.token };
    session = await createSession(h, me);
  });
  after(() => h.close());

  const cancel = (
    id: string,
    options: { body?: object; token?: string; headers?: Record<string, string> } = {},
  ) => h.request('POST', `/v1/agent_turns/${id}:cancel`, options);

  test('submit answers 201 with every AgentTurn field: QUEUED, the message as input, origin API', async () => {
    const res = await h.request('POST', '/v1/agent_turns', {
      body: { session_id: session.id, message: 'Why is it degraded?' },
    });
    assert.equal(res.status, 201, res.text);
    const t = res.body;
    assert.deepEqual(Object.keys(t).sort(), TURN_FIELDS);
    assert.match(t.id, /^trn_[a-z2-7]{26}$/);
    const [token] = await h.database.db
      .selectFrom('api_tokens')
      .select('id')
      .where('workspace_id', '=', h.workspaceId)
      .execute();
    assert.deepEqual(
      { ...t, created_at: 0, updated_at: 0 },
      {
        id: t.id,
        workspace_id: h.workspaceId,
        organization_id: null,
        agent_id: session.agent_id,
        session_id: session.id,
        state: 'QUEUED',
        origin: 'API',
        input: { type: 'message', content: 'Why is it degraded?' },
        runtime_hint: 'AUTO',
        model: null,
        created_by: token!.id,
        started_at: null,
        completed_at: null,
        runtime_decision: null,
        decision_reason: null,
        resolved_execution_mode: null,
        admission_error: null,
        usage_summary: ZERO_USAGE,
        failure: null,
        created_at: 0,
        updated_at: 0,
        etag: '1',
      },
    );
    assert.ok(isUnixSeconds(t.created_at) && t.updated_at === t.created_at);
    assert.equal(res.headers.get('etag'), '"1"');
    assert.equal(res.headers.get('location'), `/v1/agent_turns/${t.id}`);
    const read = await h.request('GET', `/v1/agent_turns/${t.id}`);
    assert.deepEqual(read.body, t);
    assert.equal(read.headers.get('etag'), '"1"');
  });

  test('runtime_hint is stored as given', async () => {
    for (const runtime_hint of ['CODE_MODE', 'RETAINED_RUNTIME', 'AUTO']) {
      const res = await h.request('POST', '/v1/agent_turns', {
        body: { session_id: session.id, message: 'm', runtime_hint },
      });
      assert.equal(res.body.runtime_hint, runtime_hint);
    }
  });

  test('each limit of the submit body is a 422 naming its field', async () => {
    const cases: Array<[object, string]> = [
      [{ message: 'm' }, 'body.session_id'],
      [{ session_id: session.id }, 'body.message'],
      [{ session_id: session.id, message: '' }, 'body.message'],
      [{ session_id: session.id, message: 'm'.repeat(50_001) }, 'body.message'],
      [{ session_id: session.id, message: 'm', runtime_hint: 'FAST' }, 'body.runtime_hint'],
      [{ session_id: session.id, message: 'm', origin: 'API' }, 'body.origin'],
    ];
    for (const [body, path] of cases) {
      const res = await h.request('POST', '/v1/agent_turns', { body });
      assert.equal(res.status, 422, `${path}: ${res.text}`);
      assert.ok(errorPaths(res).includes(path), `${path} named in ${JSON.stringify(errorPaths(res))}`);
    }
    const longest = await h.request('POST', '/v1/agent_turns', {
      body: { session_id: session.id, message: 'm'.repeat(50_000) },
    });
    assert.equal(longest.status, 201);
  });

  test('a session that is not in the workspace is 404 naming session_id', async () => {
    const other = await h.newWorkspace('foreign-session');
    const foreign = await createSession(h, other);
    for (const id of [foreign.id, 'ags_missing']) {
      const res = await h.request('POST', '/v1/agent_turns', { body: { session_id: id, message: 'm' } });
      assert.equal(res.status, 404);
      assert.deepEqual(res.body.errors[0].path, ['body', 'session_id']);
    }
  });

  test('a session whose agent is archived takes no turn (409) until the agent is enabled', async () => {
    const agent = await createAgent(h, me);
    const s = await createSession(h, me, { agent_id: agent.id });
    await h.request('DELETE', `/v1/agents/${agent.id}`);
    const refused = await h.request('POST', '/v1/agent_turns', { body: { session_id: s.id, message: 'm' } });
    assert.equal(refused.status, 409);
    assert.deepEqual(refused.body.errors[0].path, ['body', 'session_id']);
    assert.equal(refused.body.errors[0].metadata.reason, 'agent_archived');
    await h.request('POST', `/v1/agents/${agent.id}:enable`);
    assert.equal(
      (await h.request('POST', '/v1/agent_turns', { body: { session_id: s.id, message: 'm' } })).status,
      201,
    );
  });

  test('the list shows turns newest first, filtered by session, and pages with a cursor', async () => {
    const ws = await h.newWorkspace('turn-paging');
    const s1 = await createSession(h, ws);
    const s2 = await createSession(h, ws, { agent_id: s1.agent_id });
    const a = await createTurn(h, ws, s1.id);
    const b = await createTurn(h, ws, s2.id);
    const c = await createTurn(h, ws, s1.id);
    const ids = async (query: string) =>
      (await h.request('GET', `/v1/agent_turns${query}`, { token: ws.token })).body.data.map(
        (t: any) => t.id,
      );
    assert.deepEqual(await ids(''), [c.id, b.id, a.id]);
    assert.deepEqual(await ids(`?session=${s1.id}`), [c.id, a.id]);
    const first = await h.request('GET', `/v1/agent_turns?session=${s1.id}&limit=1`, { token: ws.token });
    assert.equal(first.body.has_more, true);
    assert.deepEqual(Object.keys(first.body.data[0]).sort(), TURN_FIELDS);
    const second = await h.request(
      'GET',
      `/v1/agent_turns?session=${s1.id}&limit=1&cursor=${first.body.next_cursor}`,
      {
        token: ws.token,
      },
    );
    assert.deepEqual(
      second.body.data.map((t: any) => t.id),
      [a.id],
    );
    assert.equal(second.body.has_more, false);
  });

  test('cancel moves a QUEUED turn to CANCELLED and appends exactly one turn.cancelled event', async () => {
    const fresh = await createSession(h, me);
    const turn = await createTurn(h, me, fresh.id);
    const res = await cancel(turn.id);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), TURN_FIELDS);
    assert.equal(res.body.state, 'CANCELLED');
    assert.ok(isUnixSeconds(res.body.completed_at));
    assert.equal(res.body.etag, '2');
    assert.equal(res.headers.get('etag'), '"2"');
    const events = await eventsOf(h, turn.id);
    assert.deepEqual(
      events.map((e) => [e.sequence, e.type, e.turn_id, e.session_id, e.data]),
      [[1, 'turn.cancelled', turn.id, fresh.id, { previous_state: 'QUEUED' }]],
    );
    assert.deepEqual((await h.request('GET', `/v1/agent_turns/${turn.id}`)).body, res.body);
  });

  test('cancelling a cancelled turn answers 200 unchanged and appends no second event', async () => {
    const s = await createSession(h, me);
    const turn = await createTurn(h, me, s.id);
    const first = await cancel(turn.id, { body: { reason: 'the user changed their mind' } });
    const second = await cancel(turn.id, { body: { reason: 'again' } });
    assert.equal(second.status, 200);
    assert.deepEqual(second.body, first.body);
    const events = await eventsOf(h, turn.id);
    assert.deepEqual(
      events.map((e) => [e.sequence, e.type, e.data]),
      [[1, 'turn.cancelled', { previous_state: 'QUEUED', reason: 'the user changed their mind' }]],
    );
  });

  test('concurrent cancels of one turn all answer CANCELLED and append one event', async () => {
    const turn = await createTurn(h, me);
    const results = await Promise.all([1, 2, 3, 4].map(() => cancel(turn.id)));
    assert.deepEqual(
      results.map((r) => [r.status, r.body.state, r.body.etag]),
      Array(4).fill([200, 'CANCELLED', '2']),
    );
    assert.deepEqual(
      (await eventsOf(h, turn.id)).map((e) => [e.sequence, e.type]),
      [[1, 'turn.cancelled']],
    );
  });

  test('cancelling a completed or failed turn is 422 with reason turn_terminal, and changes nothing', async () => {
    for (const state of ['COMPLETED', 'FAILED'] as const) {
      const turn = await createTurn(h, me, session.id);
      await moveTo(h, me, turn.id, state);
      const before = (await h.request('GET', `/v1/agent_turns/${turn.id}`)).body;
      const res = await cancel(turn.id);
      assert.equal(res.status, 422, state);
      assert.equal(res.body.errors[0].metadata.reason, 'turn_terminal');
      assert.equal(res.body.errors[0].metadata.state, state);
      assert.deepEqual((await h.request('GET', `/v1/agent_turns/${turn.id}`)).body, before);
      assert.deepEqual(await eventsOf(h, turn.id), []);
    }
  });

  test('cancelling a turn that waits for permission rejects its pending approval requests', async () => {
    const turn = await createTurn(h, me);
    const emitted = await h.request('POST', `/v1/agent_turns/${turn.id}:emit`, {
      headers: { 'idempotency-key': `approval-${turn.id}` },
      body: {
        type: 'approval_request',
        data: { title: 'Restart the install?', summary: 'It has been degraded for an hour.' },
      },
    });
    assert.equal(emitted.status, 201, emitted.text);
    const approvalId: string = emitted.body.data.approval_request_id;
    const res = await cancel(turn.id, { body: { reason: 'not needed' } });
    assert.equal(res.body.state, 'CANCELLED');
    const [approval] = (await h.request('GET', `/v1/approval_requests?session=${turn.session_id}`)).body.data;
    assert.deepEqual([approval.id, approval.state, approval.reason], [approvalId, 'REJECTED', 'not needed']);
    const events = await eventsOf(h, turn.id);
    assert.deepEqual(
      events.map((e) => [e.sequence, e.type, (e.data as { widget_type?: string }).widget_type ?? e.data]),
      [
        [1, 'widget.created', 'approval_card'],
        [2, 'turn.cancelled', { previous_state: 'WAITING_FOR_PERMISSION', reason: 'not needed' }],
      ],
    );
  });

  test('the cancel body is optional and closed', async () => {
    const turn = await createTurn(h, me, session.id);
    for (const [body, path] of [
      [{ why: 'x' }, 'body.why'],
      [{ reason: '' }, 'body.reason'],
      [{ reason: 'r'.repeat(2001) }, 'body.reason'],
    ] as const) {
      const res = await cancel(turn.id, { body });
      assert.equal(res.status, 422, path);
      assert.deepEqual(errorPaths(res), [path]);
    }
    assert.equal((await h.request('GET', `/v1/agent_turns/${turn.id}`)).body.state, 'QUEUED');
  });

  test('an idempotency key replays a submit instead of queueing a second turn', async () => {
    const ws = await h.newWorkspace('turn-idem');
    const s = await createSession(h, ws);
    const send = (message: string) =>
      h.request('POST', '/v1/agent_turns', {
        token: ws.token,
        headers: { 'idempotency-key': 'submit-once' },
        body: { session_id: s.id, message },
      });
    const first = await send('hello');
    const second = await send('hello');
    assert.equal(second.status, 201);
    assert.equal(second.text, first.text);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(second.headers.get('location'), first.headers.get('location'));
    const changed = await send('something else');
    assert.equal(changed.status, 409);
    assert.deepEqual(changed.body.errors[0].path, ['header', 'idempotency-key']);
    assert.equal(
      (await h.request('GET', `/v1/agent_turns?session=${s.id}`, { token: ws.token })).body.data.length,
      1,
    );
  });

  test('an idempotency key replays a cancel', async () => {
    const turn = await createTurn(h, me, session.id);
    const headers = { 'idempotency-key': `cancel-${turn.id}` };
    const first = await cancel(turn.id, { headers });
    const second = await cancel(turn.id, { headers });
    assert.equal(second.text, first.text);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal((await eventsOf(h, turn.id)).length, 1);
  });

  test('lookupAgentTurn gives the session and state of a turn of the workspace only', async () => {
    const turn = await createTurn(h, me, session.id);
    const lookup = lookupAgentTurn(h.database.db);
    assert.deepEqual(await lookup(me.id, turn.id), { sessionId: session.id, state: 'QUEUED' });
    const other = await h.newWorkspace('lookup');
    assert.equal(await lookup(other.id, turn.id), undefined);
    assert.equal(await lookup(me.id, 'trn_missing'), undefined);
  });

  test("another workspace's turn is 404 on every turn route and absent from its list", async () => {
    const turn = await createTurn(h, me, session.id);
    const other = await h.newWorkspace('turn-intruder');
    for (const [method, path] of [
      ['GET', `/v1/agent_turns/${turn.id}`],
      ['POST', `/v1/agent_turns/${turn.id}:cancel`],
    ] as const) {
      const res = await h.request(method, path, { token: other.token });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.errors[0].metadata.status, 'NOT_FOUND');
    }
    for (const query of ['', `?session=${session.id}`]) {
      assert.deepEqual(
        (await h.request('GET', `/v1/agent_turns${query}`, { token: other.token })).body.data,
        [],
      );
    }
    assert.equal(
      (await h.request('GET', `/v1/agent_turns/${turn.id}`)).body.state,
      'QUEUED',
      'the owner’s turn is untouched',
    );
    assert.deepEqual(await eventsOf(h, turn.id), []);
  });
});
