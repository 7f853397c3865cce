import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createSession, createTurn, type Actor } from '../agents/test-fixtures.ts';
import { conflictsQuery } from './conflict-store.ts';
import { checkPublishedResponse } from '../testing/published-api.ts';
import { startHarness, type Harness, type TestResponse } from '../testing/harness.ts';

function published(res: TestResponse): TestResponse {
  assert.deepEqual(
    checkPublishedResponse('agentSessions.detectConflicts', res.status, res.body),
    [],
    res.text,
  );
  return res;
}

let keys = 0;

describe('GET /v1/agent_sessions:detectConflicts', () => {
  let h: Harness;
  let me: Actor;

  before(async () => {
    h = await startHarness();
    me = { id: h.workspaceId, token: h.token };
  });
  after(() => h.close());

  async function emit(turnId: string, body: object, token = h.token): Promise<any> {
    const res = await h.request('POST', `/v1/agent_turns/${turnId}:emit`, {
      token,
      headers: { 'idempotency-key': `conflicts-${++keys}` },
      body,
    });
    assert.equal(res.status, 201, res.text);
    return res.body;
  }
  const widget = (refs: object[]) => ({
    type: 'widget',
    data: { widget_type: 'status_card', schema_version: 1, title: 'working on it', resource_refs: refs },
  });
  const artifact = (refs: object[]) => ({
    type: 'artifact',
    data: { artifact_type: 'diff', title: 'the change', resource_refs: refs },
  });
  const detect = (query: string, token = h.token) =>
    h.request('GET', `/v1/agent_sessions:detectConflicts?${query}`, { token });

  test('finds each active session that named the resource once, with its latest event, newest first', async () => {
    const repo = 'repo_conflict_one';
    const first = await createTurn(h, me);
    const e1 = await emit(first.id, widget([{ resource: 'repository', id: repo }]));
    const second = await createTurn(h, me);
    await emit(
      second.id,
      artifact([
        { resource: 'install', id: 'inst_x' },
        { resource: 'repository', id: repo },
      ]),
    );
    const e3 = await emit(second.id, widget([{ resource: 'repository', id: repo }]));
    // Not a reference: the id in a message, the same id under another kind, another id.
    const third = await createTurn(h, me);
    await emit(third.id, { type: 'message', data: { content: `I will look at ${repo}` } });
    await emit(third.id, widget([{ resource: 'install', id: repo }]));
    await emit(third.id, widget([{ resource: 'repository', id: `${repo}_2` }]));

    const res = published(await detect(`resource=repository&id=${repo}`));
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.data.map((c: any) => [c.session_id, c.event_id]),
      [
        [second.session_id, e3.id],
        [first.session_id, e1.id],
      ],
    );
    const [latest] = res.body.data;
    assert.equal(latest.agent_id, e3.agent_id);
    assert.equal(latest.turn_id, second.id);
    assert.equal(latest.event_type, 'widget.created');
    assert.equal(latest.created_at, e3.created_at);
    assert.match(latest.reason, new RegExp(`named repository ${repo}`));
  });

  test('handoff summaries name resources through touched_resource_refs', async () => {
    const parent = await createTurn(h, me);
    const child = await createSession(h, me);
    const e = await emit(parent.id, {
      type: 'handoff_summary',
      data: {
        child_session_id: child.id,
        summary: 'took over the install',
        touched_resource_refs: [{ resource: 'install', id: 'inst_handoff' }],
      },
    });
    const res = published(await detect('resource=install&id=inst_handoff'));
    assert.deepEqual(
      res.body.data.map((c: any) => [c.session_id, c.event_type, c.event_id]),
      [[parent.session_id, 'handoff_summary.created', e.id]],
    );
  });

  test('every published kind is matched by its own name', async () => {
    const turn = await createTurn(h, me);
    for (const resource of ['repository', 'install', 'cluster', 'repository_change_request']) {
      await emit(turn.id, artifact([{ resource, id: `kind_${resource}` }]));
      const res = published(await detect(`resource=${resource}&id=kind_${resource}`));
      assert.deepEqual(
        res.body.data.map((c: any) => c.session_id),
        [turn.session_id],
        resource,
      );
    }
  });

  test('archived sessions, the excluded session and other workspaces are left out; limit caps the list', async () => {
    const repo = 'repo_conflict_filters';
    const turns = [];
    for (let i = 0; i < 4; i++) {
      const turn = await createTurn(h, me);
      await emit(turn.id, widget([{ resource: 'repository', id: repo }]));
      turns.push(turn);
    }
    const archived = turns[0]!.session_id;
    assert.equal((await h.request('DELETE', `/v1/agent_sessions/${archived}`)).status, 200);
    const other = await h.newWorkspace('conflicts-other');
    const theirs = await createTurn(h, other);
    await emit(theirs.id, widget([{ resource: 'repository', id: repo }]), other.token);

    const all = published(await detect(`resource=repository&id=${repo}`));
    assert.deepEqual(
      all.body.data.map((c: any) => c.session_id),
      [turns[3]!.session_id, turns[2]!.session_id, turns[1]!.session_id],
    );
    const excluded = published(
      await detect(`resource=repository&id=${repo}&exclude_session=${turns[3]!.session_id}`),
    );
    assert.deepEqual(
      excluded.body.data.map((c: any) => c.session_id),
      [turns[2]!.session_id, turns[1]!.session_id],
    );
    const limited = published(await detect(`resource=repository&id=${repo}&limit=1`));
    assert.deepEqual(
      limited.body.data.map((c: any) => c.session_id),
      [turns[3]!.session_id],
    );
    const theirView = published(await detect(`resource=repository&id=${repo}`, other.token));
    assert.deepEqual(
      theirView.body.data.map((c: any) => c.session_id),
      [theirs.session_id],
    );
  });

  test('a session stays a conflict after its turn ends, as long as it is not archived', async () => {
    const turn = await createTurn(h, me);
    await emit(turn.id, widget([{ resource: 'cluster', id: 'cl_done' }]));
    await emit(turn.id, { type: 'progress', data: { state: 'COMPLETED', message: 'done' } });
    const res = published(await detect('resource=cluster&id=cl_done'));
    assert.deepEqual(
      res.body.data.map((c: any) => c.session_id),
      [turn.session_id],
    );
  });

  test('nothing referenced: an empty list', async () => {
    const res = published(await detect('resource=repository_change_request&id=rcr_nobody'));
    assert.deepEqual(res.body, { data: [] });
  });

  test('the route is not taken for a session id, and GET /v1/agent_sessions/{id} still answers', async () => {
    const session = await createSession(h, me);
    const got = await h.request('GET', `/v1/agent_sessions/${session.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.id, session.id);
    // Without its required query, the detect route answers (400 naming the parameter), not the get.
    const bare = await h.request('GET', '/v1/agent_sessions:detectConflicts');
    assert.equal(bare.status, 400, bare.text);
    assert.deepEqual(bare.body.errors[0].path, ['query', 'resource']);
    // A session id with the verb glued on is no session.
    const glued = await h.request('GET', `/v1/agent_sessions/${session.id}:detectConflicts`);
    assert.equal(glued.status, 404);
  });

  test('bad query parameters are 400 naming the parameter', async () => {
    const cases: Array<[string, string]> = [
      ['id=repo_x', 'resource'],
      ['resource=repository', 'id'],
      ['resource=package&id=x', 'resource'],
      [`resource=repository&id=${'x'.repeat(121)}`, 'id'],
      ['resource=repository&id=', 'id'],
      [`resource=repository&id=x&exclude_session=${'s'.repeat(55)}`, 'exclude_session'],
      ['resource=repository&id=x&limit=0', 'limit'],
      ['resource=repository&id=x&limit=two', 'limit'],
      ['resource=repository&id=x&colour=red', 'colour'],
    ];
    for (const [query, param] of cases) {
      const res = await detect(query);
      assert.equal(res.status, 400, `${query}: ${res.text}`);
      assert.deepEqual(res.body.errors[0].path, ['query', param], query);
    }
  });

  test('without a credential it is 401', async () => {
    const res = published(await detect('resource=repository&id=x', null as unknown as string));
    assert.equal(res.status, 401);
  });

  test('the lookup uses the resource-ref index, not a scan of the log', async () => {
    const query = conflictsQuery(h.workspaceId, {
      resource: 'repository',
      id: 'repo_x',
      excludeSession: undefined,
      limit: 20,
    });
    const plan = await h.atoll.database.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      const { rows } = await sql<{ 'QUERY PLAN': string }>`EXPLAIN ${query}`.execute(trx);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    assert.match(plan, /agent_events_refs/);
  });
});
