import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../testing/harness.ts';
import { EVENTS_RETENTION_DAYS, FILESYSTEM_RETENTION_DAYS } from './session-service.ts';
import {
  createAgent,
  createSession,
  createTurn,
  errorPaths,
  eventsOf,
  isUnixSeconds,
  ZERO_USAGE,
  type Actor,
} from './test-fixtures.ts';

const SESSION_FIELDS = [
  'agent_id',
  'agent_role',
  'communication_profile',
  'created_at',
  'created_by',
  'current_sandbox_id',
  'etag',
  'events_retained_until',
  'filesystem_pinned',
  'filesystem_retained_until',
  'forked_from_session_id',
  'id',
  'last_event_cursor',
  'organization_id',
  'origin',
  'parent_session_id',
  'retention_reason',
  'spawned_by_turn_id',
  'state',
  'title',
  'updated_at',
  'usage_summary',
  'workspace_id',
];

const DAY = 86_400;

describe('agent sessions', () => {
  let h: Harness;
  let me: Actor;
  let agentId: string;
  before(async () => {
    h = await startHarness();
    me = { id: h.workspaceId, token: h.token };
    agentId = (await createAgent(h, me)).id;
  });
  after(() => h.close());

  test('create answers 201 with every AgentSession field, ADAPTIVE and the retention defaults', async () => {
    const res = await h.request('POST', '/v1/agent_sessions', { body: { agent_id: agentId } });
    assert.equal(res.status, 201, res.text);
    const s = res.body;
    assert.deepEqual(Object.keys(s).sort(), SESSION_FIELDS);
    assert.match(s.id, /^ags_[a-z2-7]{26}$/);
    const [token] = await h.database.db
      .selectFrom('api_tokens')
      .select('id')
      .where('workspace_id', '=', h.workspaceId)
      .execute();
    assert.deepEqual(
      { ...s, created_at: 0, updated_at: 0, events_retained_until: 0, filesystem_retained_until: 0 },
      {
        id: s.id,
        workspace_id: h.workspaceId,
        organization_id: null,
        agent_id: agentId,
        state: 'ACTIVE',
        origin: 'API',
        title: null,
        communication_profile: 'ADAPTIVE',
        created_by: token!.id,
        parent_session_id: null,
        forked_from_session_id: null,
        spawned_by_turn_id: null,
        agent_role: null,
        current_sandbox_id: null,
        last_event_cursor: null,
        events_retained_until: 0,
        filesystem_retained_until: 0,
        filesystem_pinned: false,
        retention_reason: 'SESSION_ACTIVE',
        usage_summary: ZERO_USAGE,
        created_at: 0,
        updated_at: 0,
        etag: '1',
      },
    );
    assert.ok(isUnixSeconds(s.created_at) && s.updated_at === s.created_at);
    assert.equal(s.events_retained_until, s.created_at + EVENTS_RETENTION_DAYS * DAY);
    assert.equal(s.filesystem_retained_until, s.created_at + FILESYSTEM_RETENTION_DAYS * DAY);
    assert.equal(res.headers.get('etag'), '"1"');
    assert.equal(res.headers.get('location'), `/v1/agent_sessions/${s.id}`);
    const read = await h.request('GET', `/v1/agent_sessions/${s.id}`);
    assert.equal(read.status, 200);
    assert.deepEqual(read.body, s);
    assert.equal(read.headers.get('etag'), '"1"');
  });

  test('lineage, title, profile and role are stored, and the list filters on each', async () => {
    const ws = await h.newWorkspace('lineage');
    const parent = await createSession(h, ws);
    const turn = await createTurn(h, ws, parent.id);
    const child = await createSession(h, ws, {
      agent_id: parent.agent_id,
      title: 'Fix the install',
      communication_profile: 'EXPERT',
      parent_session_id: parent.id,
      forked_from_session_id: parent.id,
      spawned_by_turn_id: turn.id,
      agent_role: 'reviewer',
    });
    assert.deepEqual(
      [
        child.title,
        child.communication_profile,
        child.parent_session_id,
        child.forked_from_session_id,
        child.spawned_by_turn_id,
        child.agent_role,
      ],
      ['Fix the install', 'EXPERT', parent.id, parent.id, turn.id, 'reviewer'],
    );
    const sibling = await createSession(h, ws, {
      agent_id: parent.agent_id,
      parent_session_id: parent.id,
      agent_role: 'writer',
    });
    const ids = async (query: string) =>
      (await h.request('GET', `/v1/agent_sessions?${query}`, { token: ws.token })).body.data.map(
        (s: any) => s.id,
      );
    assert.deepEqual(await ids(''), [sibling.id, child.id, parent.id]);
    assert.deepEqual(await ids(`parent_session=${parent.id}`), [sibling.id, child.id]);
    assert.deepEqual(await ids(`forked_from_session=${parent.id}`), [child.id]);
    assert.deepEqual(await ids(`spawned_by_turn=${turn.id}`), [child.id]);
    assert.deepEqual(await ids('agent_role=writer'), [sibling.id]);
    assert.deepEqual(await ids(`parent_session=${parent.id}&agent_role=reviewer`), [child.id]);
    const page = await h.request('GET', '/v1/agent_sessions?limit=2', { token: ws.token });
    assert.equal(page.body.has_more, true);
    const rest = await h.request('GET', `/v1/agent_sessions?limit=2&cursor=${page.body.next_cursor}`, {
      token: ws.token,
    });
    assert.deepEqual(
      rest.body.data.map((s: any) => s.id),
      [parent.id],
    );
    assert.equal(rest.body.next_cursor, null);
    const loner = await createSession(h, ws);
    assert.notEqual(loner.agent_id, parent.agent_id);
    assert.deepEqual(await ids(`agent=${loner.agent_id}`), [loner.id]);
    assert.deepEqual(await ids(`agent=${parent.agent_id}`), [sibling.id, child.id, parent.id]);
    assert.deepEqual(await ids(`agent=${parent.agent_id}&agent_role=writer`), [sibling.id]);
    const unknown = await h.request('GET', '/v1/agent_sessions?parent=x', { token: ws.token });
    assert.equal(unknown.status, 400);
    assert.deepEqual(errorPaths(unknown), ['query.parent']);
  });

  test('an agent that is not in the workspace is 404 naming agent_id', async () => {
    const other = await h.newWorkspace('foreign-agent');
    const foreign = await createAgent(h, other);
    for (const id of [foreign.id, 'agt_missing']) {
      const res = await h.request('POST', '/v1/agent_sessions', { body: { agent_id: id } });
      assert.equal(res.status, 404, res.text);
      assert.deepEqual(res.body.errors[0].path, ['body', 'agent_id']);
    }
  });

  test('lineage ids that are not sessions or turns of the workspace are each a 422 naming the field', async () => {
    const other = await h.newWorkspace('foreign-lineage');
    const foreignTurn = await createTurn(h, other);
    const res = await h.request('POST', '/v1/agent_sessions', {
      body: {
        agent_id: agentId,
        parent_session_id: foreignTurn.session_id,
        forked_from_session_id: 'ags_missing',
        spawned_by_turn_id: foreignTurn.id,
      },
    });
    assert.equal(res.status, 422);
    assert.deepEqual(errorPaths(res), [
      'body.parent_session_id',
      'body.forked_from_session_id',
      'body.spawned_by_turn_id',
    ]);
  });

  test('a spawning turn of another session than the parent is a 422 naming spawned_by_turn_id', async () => {
    const a = await createSession(h, me, { agent_id: agentId });
    const b = await createSession(h, me, { agent_id: agentId });
    const turnOfB = await createTurn(h, me, b.id);
    const res = await h.request('POST', '/v1/agent_sessions', {
      body: { agent_id: agentId, parent_session_id: a.id, spawned_by_turn_id: turnOfB.id },
    });
    assert.equal(res.status, 422);
    assert.deepEqual(errorPaths(res), ['body.spawned_by_turn_id']);
  });

  test('each limit of the create body is a 422 naming its field', async () => {
    const cases: Array<[object, string]> = [
      [{}, 'body.agent_id'],
      [{ agent_id: '' }, 'body.agent_id'],
      [{ agent_id: 'a'.repeat(55) }, 'body.agent_id'],
      [{ agent_id: agentId, title: '' }, 'body.title'],
      [{ agent_id: agentId, title: 't'.repeat(201) }, 'body.title'],
      [{ agent_id: agentId, communication_profile: 'NOVICE' }, 'body.communication_profile'],
      [{ agent_id: agentId, agent_role: 'r'.repeat(81) }, 'body.agent_role'],
      [{ agent_id: agentId, parent_session_id: 'p'.repeat(55) }, 'body.parent_session_id'],
      [{ agent_id: agentId, state: 'ACTIVE' }, 'body.state'],
    ];
    for (const [body, path] of cases) {
      const res = await h.request('POST', '/v1/agent_sessions', { body });
      assert.equal(res.status, 422, `${path}: ${res.text}`);
      assert.ok(errorPaths(res).includes(path), `${path} named in ${JSON.stringify(errorPaths(res))}`);
    }
  });

  test('DELETE archives (200 AgentSession, again 200 unchanged), and an archived session takes no turn', async () => {
    const s = await createSession(h, me, { agent_id: agentId });
    const archived = await h.request('DELETE', `/v1/agent_sessions/${s.id}`);
    assert.equal(archived.status, 200);
    assert.deepEqual(Object.keys(archived.body).sort(), SESSION_FIELDS);
    assert.equal(archived.body.state, 'ARCHIVED');
    assert.equal(archived.body.etag, '2');
    assert.equal(archived.headers.get('etag'), '"2"');
    const again = await h.request('DELETE', `/v1/agent_sessions/${s.id}`);
    assert.deepEqual(again.body, archived.body);
    const turn = await h.request('POST', '/v1/agent_turns', {
      body: { session_id: s.id, message: 'hello?' },
    });
    assert.equal(turn.status, 409);
    assert.deepEqual(turn.body.errors[0].path, ['body', 'session_id']);
    assert.equal(turn.body.errors[0].metadata.reason, 'agent_session_archived');
  });

  test(':setRetention replaces the retention, archived sessions included', async () => {
    const s = await createSession(h, me, { agent_id: agentId });
    await h.request('DELETE', `/v1/agent_sessions/${s.id}`);
    const body = {
      events_retained_until: 2_000_000_000,
      filesystem_retained_until: 1_900_000_000,
      filesystem_pinned: true,
      retention_reason: 'PINNED',
    };
    const res = await h.request('POST', `/v1/agent_sessions/${s.id}:setRetention`, { body });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body).sort(), SESSION_FIELDS);
    for (const [field, value] of Object.entries(body)) assert.equal(res.body[field], value, field);
    assert.equal(res.body.state, 'ARCHIVED');
    assert.equal(res.body.etag, '3');
    assert.equal(res.headers.get('etag'), '"3"');
    assert.deepEqual((await h.request('GET', `/v1/agent_sessions/${s.id}`)).body, res.body);
  });

  test('each limit of the retention body is a 422 naming its field', async () => {
    const s = await createSession(h, me, { agent_id: agentId });
    const valid = {
      events_retained_until: 2_000_000_000,
      filesystem_retained_until: 2_000_000_000,
      filesystem_pinned: false,
      retention_reason: 'POLICY',
    };
    const cases: Array<[object, string]> = [
      [{ ...valid, events_retained_until: undefined }, 'body.events_retained_until'],
      [{ ...valid, events_retained_until: -1 }, 'body.events_retained_until'],
      [{ ...valid, filesystem_retained_until: 1.5 }, 'body.filesystem_retained_until'],
      [{ ...valid, filesystem_retained_until: 1e15 }, 'body.filesystem_retained_until'],
      [{ ...valid, filesystem_pinned: 'yes' }, 'body.filesystem_pinned'],
      [{ ...valid, retention_reason: 'FOREVER' }, 'body.retention_reason'],
      [{ ...valid, reason: 'x' }, 'body.reason'],
    ];
    for (const [body, path] of cases) {
      const res = await h.request('POST', `/v1/agent_sessions/${s.id}:setRetention`, { body });
      assert.equal(res.status, 422, `${path}: ${res.text}`);
      assert.ok(errorPaths(res).includes(path), `${path} named in ${JSON.stringify(errorPaths(res))}`);
    }
  });

  test("last_event_cursor is the session's last event cursor", async () => {
    const turn = await createTurn(h, me);
    assert.equal(
      (await h.request('GET', `/v1/agent_sessions/${turn.session_id}`)).body.last_event_cursor,
      null,
    );
    await h.request('POST', `/v1/agent_turns/${turn.id}:cancel`);
    const [event] = await eventsOf(h, turn.id);
    const s = (await h.request('GET', `/v1/agent_sessions/${turn.session_id}`)).body;
    assert.match(s.last_event_cursor, /^e[0-9a-f]{12}$/);
    assert.equal(s.last_event_cursor, `e${Number(event!.position).toString(16).padStart(12, '0')}`);
  });

  test("another workspace's session is 404 on every session route and absent from its list", async () => {
    const s = await createSession(h, me, { agent_id: agentId });
    const other = await h.newWorkspace('session-intruder');
    const retention = {
      events_retained_until: 1,
      filesystem_retained_until: 1,
      filesystem_pinned: false,
      retention_reason: 'POLICY',
    };
    for (const [method, path, extra] of [
      ['GET', `/v1/agent_sessions/${s.id}`, {}],
      ['DELETE', `/v1/agent_sessions/${s.id}`, {}],
      ['POST', `/v1/agent_sessions/${s.id}:setRetention`, { body: retention }],
    ] as const) {
      const res = await h.request(method, path, { token: other.token, ...extra });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.errors[0].metadata.status, 'NOT_FOUND');
    }
    for (const query of ['', `?parent_session=${s.id}`]) {
      assert.deepEqual(
        (await h.request('GET', `/v1/agent_sessions${query}`, { token: other.token })).body.data,
        [],
      );
    }
    assert.deepEqual(
      (await h.request('GET', `/v1/agent_sessions/${s.id}`)).body,
      s,
      'the owner still has it unchanged',
    );
  });
});
