import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../testing/harness.ts';
import { checkPublishedResponse } from '../testing/published-api.ts';
import { createTurn, errorPaths, eventsOf, isUnixSeconds, moveTo, type Actor } from './test-fixtures.ts';

const APPROVAL_FIELDS = [
  'actions',
  'agent_id',
  'created_at',
  'created_by',
  'etag',
  'id',
  'reason',
  'resolved_at',
  'resolved_by',
  'session_id',
  'state',
  'summary',
  'title',
  'turn_id',
  'updated_at',
  'workspace_id',
];

const ACTIONS = [{ id: 'restart', label: 'Restart install', style: 'danger' }];

describe('approval requests', () => {
  let h: Harness;
  let me: Actor;
  let keys = 0;
  before(async () => {
    h = await startHarness();
    me = { id: h.workspaceId, token: h.token };
  });
  after(() => h.close());

  /** A turn waiting for permission on `count` approval requests, each emitted as an agent would. */
  async function waitingTurn(ws: Actor, count: number): Promise<{ turn: any; approvals: string[] }> {
    const turn = await createTurn(h, ws);
    const approvals: string[] = [];
    for (let i = 1; i <= count; i++) {
      const res = await h.request('POST', `/v1/agent_turns/${turn.id}:emit`, {
        token: ws.token,
        headers: { 'idempotency-key': `approval-${turn.id}-${i}` },
        body: {
          type: 'approval_request',
          data: { title: `Step ${i}`, summary: `Approve step ${i} of the remediation.`, actions: ACTIONS },
        },
      });
      assert.equal(res.status, 201, res.text);
      approvals.push(res.body.data.approval_request_id);
    }
    return { turn, approvals };
  }

  const resolve = (
    id: string,
    body: object,
    headers: Record<string, string | undefined> = {},
    token = h.token,
  ) => {
    const sent = Object.fromEntries(
      Object.entries({ 'if-match': '1', 'idempotency-key': `k-${++keys}`, ...headers }).filter(
        ([, v]) => v !== undefined,
      ),
    ) as Record<string, string>;
    return h.request('POST', `/v1/approval_requests/${id}:resolve`, { token, headers: sent, body });
  };

  const turnState = async (id: string) => (await h.request('GET', `/v1/agent_turns/${id}`)).body.state;

  test('the list shows every ApprovalRequest field, newest first, filtered by state, agent and session', async () => {
    const ws = await h.newWorkspace('approval-list');
    const first = await waitingTurn(ws, 2);
    const second = await waitingTurn(ws, 1);
    const list = (query = '') => h.request('GET', `/v1/approval_requests${query}`, { token: ws.token });
    const all = await list();
    assert.equal(all.status, 200);
    assert.deepEqual(
      all.body.data.map((a: any) => a.id),
      [second.approvals[0], first.approvals[1], first.approvals[0]],
    );
    const a = all.body.data[2];
    assert.deepEqual(Object.keys(a).sort(), APPROVAL_FIELDS);
    assert.match(a.id, /^apr_[a-z2-7]{26}$/);
    assert.match(a.created_by, /^tok_/, 'the emitting credential');
    assert.deepEqual(
      { ...a, created_at: 0, updated_at: 0 },
      {
        id: first.approvals[0],
        workspace_id: ws.id,
        agent_id: first.turn.agent_id,
        session_id: first.turn.session_id,
        turn_id: first.turn.id,
        state: 'PENDING',
        title: 'Step 1',
        summary: 'Approve step 1 of the remediation.',
        actions: ACTIONS,
        created_by: a.created_by,
        reason: null,
        resolved_by: null,
        resolved_at: null,
        created_at: 0,
        updated_at: 0,
        etag: '1',
      },
    );
    assert.ok(isUnixSeconds(a.created_at) && a.updated_at === a.created_at);

    const ids = async (query: string) => (await list(query)).body.data.map((x: any) => x.id);
    assert.deepEqual(await ids(`?session=${first.turn.session_id}`), [
      first.approvals[1],
      first.approvals[0],
    ]);
    assert.deepEqual(await ids(`?agent=${second.turn.agent_id}`), second.approvals);
    await resolve(first.approvals[0]!, { decision: 'APPROVE' }, {}, ws.token);
    assert.deepEqual(await ids('?state=APPROVED'), [first.approvals[0]]);
    assert.deepEqual(await ids('?state=PENDING'), [second.approvals[0], first.approvals[1]]);
    const page = await list('?limit=2');
    assert.equal(page.body.has_more, true);
    assert.deepEqual(await ids(`?limit=2&cursor=${page.body.next_cursor}`), [first.approvals[0]]);
    const bad = await list('?state=MAYBE');
    assert.equal(bad.status, 400);
    assert.deepEqual(errorPaths(bad), ['query.state']);
  });

  test('resolve needs if-match: missing is 428, stale is 409 ABORTED with the current etag', async () => {
    const { approvals } = await waitingTurn(me, 1);
    const missing = await resolve(approvals[0]!, { decision: 'APPROVE' }, { 'if-match': undefined });
    assert.equal(missing.status, 428);
    assert.deepEqual(missing.body.errors[0].path, ['header', 'if-match']);
    const stale = await resolve(approvals[0]!, { decision: 'APPROVE' }, { 'if-match': '7' });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.errors[0].metadata.status, 'ABORTED');
    assert.equal(stale.body.errors[0].metadata.etag, '1');
    const fresh = await resolve(approvals[0]!, { decision: 'APPROVE' }, { 'if-match': 'W/"1"' });
    assert.equal(fresh.status, 200);
  });

  test('resolve needs an idempotency key (422 naming the header, the refusal status the published operation lists)', async () => {
    const { approvals } = await waitingTurn(me, 1);
    const res = await resolve(approvals[0]!, { decision: 'APPROVE' }, { 'idempotency-key': undefined });
    assert.equal(res.status, 422);
    assert.deepEqual(checkPublishedResponse('approvalRequests.resolve', res.status, res.body), []);
    assert.deepEqual(res.body.errors[0].path, ['header', 'idempotency-key']);
    const pending = (await h.request('GET', '/v1/approval_requests?state=PENDING')).body.data.map(
      (a: any) => a.id,
    );
    assert.ok(pending.includes(approvals[0]), 'still pending');
  });

  test('the turn runs again only when its last pending approval is resolved', async () => {
    const { turn, approvals } = await waitingTurn(me, 2);
    assert.equal(await turnState(turn.id), 'WAITING_FOR_PERMISSION');
    const approved = await resolve(approvals[0]!, { decision: 'APPROVE', reason: 'looks safe' });
    assert.equal(approved.status, 200, approved.text);
    assert.deepEqual(Object.keys(approved.body).sort(), APPROVAL_FIELDS);
    assert.equal(approved.body.state, 'APPROVED');
    assert.equal(approved.body.reason, 'looks safe');
    assert.equal(
      approved.body.resolved_by,
      (await h.request('GET', `/v1/agent_turns/${turn.id}`)).body.created_by,
    );
    assert.ok(isUnixSeconds(approved.body.resolved_at));
    assert.equal(approved.body.etag, '2');
    assert.equal(approved.headers.get('etag'), '"2"');
    assert.equal(await turnState(turn.id), 'WAITING_FOR_PERMISSION', 'one approval is still pending');
    assert.equal(
      (await h.request('GET', `/v1/agent_sessions/${turn.session_id}`)).body.state,
      'WAITING_FOR_PERMISSION',
    );

    const rejected = await resolve(approvals[1]!, { decision: 'REJECT' });
    assert.equal(rejected.status, 200);
    assert.equal(rejected.body.state, 'REJECTED');
    assert.equal(rejected.body.reason, null);
    assert.equal(await turnState(turn.id), 'RUNNING');
    assert.equal((await h.request('GET', `/v1/agent_sessions/${turn.session_id}`)).body.state, 'ACTIVE');
    assert.deepEqual(
      (await eventsOf(h, turn.id)).map((e) => e.type),
      ['widget.created', 'widget.created'],
      'resolving appends no event',
    );
  });

  test('resolving the last two approvals at once still returns the turn to RUNNING', async () => {
    const { turn, approvals } = await waitingTurn(me, 2);
    const results = await Promise.all(approvals.map((id) => resolve(id, { decision: 'APPROVE' })));
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200],
    );
    assert.equal(await turnState(turn.id), 'RUNNING');
  });

  test('a resolved approval cannot be resolved again (409), and a terminal turn does not move', async () => {
    const { turn, approvals } = await waitingTurn(me, 1);
    await moveTo(h, me, turn.id, 'FAILED');
    const first = await resolve(approvals[0]!, { decision: 'REJECT', reason: 'too late' });
    assert.equal(first.status, 200);
    assert.equal(await turnState(turn.id), 'FAILED');
    const again = await resolve(approvals[0]!, { decision: 'APPROVE' }, { 'if-match': '2' });
    assert.equal(again.status, 409);
    assert.equal(again.body.errors[0].metadata.status, 'FAILED_PRECONDITION');
    assert.equal(again.body.errors[0].metadata.reason, 'approval_resolved');
  });

  test('a retried resolve replays the first answer byte for byte; the key with another body is 409', async () => {
    const { turn, approvals } = await waitingTurn(me, 1);
    const headers = { 'idempotency-key': `resolve-${approvals[0]}` };
    const first = await resolve(approvals[0]!, { decision: 'APPROVE' }, headers);
    const second = await resolve(approvals[0]!, { decision: 'APPROVE' }, headers);
    assert.equal(second.status, 200);
    assert.equal(second.text, first.text);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(second.headers.get('etag'), first.headers.get('etag'));
    const changed = await resolve(approvals[0]!, { decision: 'REJECT' }, headers);
    assert.equal(changed.status, 409);
    assert.deepEqual(changed.body.errors[0].path, ['header', 'idempotency-key']);
    assert.equal(await turnState(turn.id), 'RUNNING');
  });

  test('each limit of the resolve body is a 422 naming its field', async () => {
    const { approvals } = await waitingTurn(me, 1);
    const cases: Array<[object, string]> = [
      [{}, 'body.decision'],
      [{ decision: 'MAYBE' }, 'body.decision'],
      [{ decision: 'APPROVE', reason: '' }, 'body.reason'],
      [{ decision: 'APPROVE', reason: 'r'.repeat(2001) }, 'body.reason'],
      [{ decision: 'APPROVE', note: 'x' }, 'body.note'],
    ];
    for (const [body, path] of cases) {
      const res = await resolve(approvals[0]!, body);
      assert.equal(res.status, 422, `${path}: ${res.text}`);
      assert.ok(errorPaths(res).includes(path), `${path} named in ${JSON.stringify(errorPaths(res))}`);
    }
  });

  test("another workspace's approval request is 404 on resolve and absent from its list", async () => {
    const { turn, approvals } = await waitingTurn(me, 1);
    const other = await h.newWorkspace('approval-intruder');
    const res = await resolve(approvals[0]!, { decision: 'APPROVE' }, {}, other.token);
    assert.equal(res.status, 404);
    assert.equal(res.body.errors[0].metadata.status, 'NOT_FOUND');
    for (const query of ['', `?session=${turn.session_id}`, `?agent=${turn.agent_id}`]) {
      assert.deepEqual(
        (await h.request('GET', `/v1/approval_requests${query}`, { token: other.token })).body.data,
        [],
      );
    }
    assert.equal(await turnState(turn.id), 'WAITING_FOR_PERMISSION');
  });
});
