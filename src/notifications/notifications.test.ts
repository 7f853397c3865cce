import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { startHarness, type Harness, type TestResponse } from '../testing/harness.ts';
import { checkPublishedResponse } from '../testing/published-api.ts';
import { notify } from './port.ts';

const SECRET = 'notifications-test-secret-0123456789abcdef';
const jwtFor = (sub: string, workspaces?: string[] | '*') =>
  new SignJWT({ sub, ...(workspaces ? { atoll_workspaces: workspaces } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(SECRET));

const FIELDS = [
  'body',
  'context',
  'created_at',
  'id',
  'read_at',
  'resource_id',
  'resource_type',
  'severity',
  'title',
  'type',
];

/** Asserts the response is one the published operation lists, with a body its schema accepts. */
function published(opId: string, res: TestResponse, status: number): any {
  assert.equal(res.status, status, res.text);
  assert.deepEqual(checkPublishedResponse(opId, res.status, res.body), []);
  return res.body;
}

describe('notifications API', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ ATOLL_JWT_SECRET: SECRET });
  });
  after(() => h.close());

  const list = (token: string, query = '') =>
    h
      .request('GET', `/v1/notifications${query}`, { token })
      .then((r) => published('notifications.list', r, 200));
  const unread = (token: string) =>
    h
      .request('GET', '/v1/notifications/unread_count', { token })
      .then((r) => published('notifications.getUnreadCount', r, 200).count);
  const markRead = (token: string, id: string) =>
    h
      .request('PATCH', `/v1/notifications/${id}/read`, { token })
      .then((r) => published('notifications.markRead', r, 204));
  const markAll = (token: string) =>
    h
      .request('POST', '/v1/notifications/mark_all_read', { token })
      .then((r) => published('notifications.markAllRead', r, 204));

  /** A workspace token of a new workspace and that token's subject (its id). */
  async function workspace(name: string) {
    const ws = await h.newWorkspace(name);
    const me = await h.request('GET', '/v1/api_tokens', { token: ws.token });
    return { ...ws, subject: me.body.data[0].id as string };
  }

  /** Runs a stored snippet that throws, as `token`: a real failed run. */
  async function failedRun(token: string, message = 'boom'): Promise<string> {
    const snippet = await h.request('POST', '/v1/snippets', {
      token,
      body: {
        name: `fails ${message}`,
        code: `throw new Error(${JSON.stringify(message)})`,
        display_type: 'json',
      },
    });
    assert.equal(snippet.status, 201, snippet.text);
    const run = await h.request('POST', `/v1/snippets/${snippet.body.snippet_id}/runs`, { token, body: {} });
    assert.equal(run.status, 201, run.text);
    assert.equal(run.body.state, 'failed');
    return run.body.id;
  }

  /** `count` notifications for `recipient` through the port, as a domain would write them. */
  async function seed(workspaceId: string, recipient: string, count: number, tag: string) {
    await h.database.db.transaction().execute(async (trx) => {
      for (let i = 0; i < count; i++) {
        await notify(trx, {
          workspaceId,
          type: 'snippet_run_failed',
          resourceId: `snr_${tag}${i}`,
          title: `Seeded ${i}`,
          body: null,
          severity: 'warning',
          context: {},
          subjects: [recipient],
          members: false,
        });
      }
    });
  }

  test('a failed snippet run notifies who ran it, with every published field; a successful run notifies no one', async () => {
    const ws = await workspace('run-failure');
    const ok = await h.request('POST', '/v1/snippets', {
      token: ws.token,
      body: { name: 'fine', code: 'return 1', display_type: 'json' },
    });
    assert.equal(
      (await h.request('POST', `/v1/snippets/${ok.body.snippet_id}/runs`, { token: ws.token, body: {} })).body
        .state,
      'succeeded',
    );
    assert.deepEqual((await list(ws.token)).data, []);
    assert.equal(await unread(ws.token), 0);

    const runId = await failedRun(ws.token, 'disk full');
    const page = await list(ws.token);
    assert.equal(page.has_more, false);
    assert.equal(page.next_cursor, null);
    assert.equal(page.data.length, 1);
    const n = page.data[0];
    assert.deepEqual(Object.keys(n).sort(), FIELDS);
    assert.match(n.id, /^ntf_[a-z2-7]{26}$/);
    assert.equal(n.type, 'snippet_run_failed');
    assert.equal(n.resource_type, 'snippet_run');
    assert.equal(n.resource_id, runId);
    assert.equal(n.title, 'Snippet "fails disk full" failed');
    assert.match(n.body, /disk full/);
    assert.equal(n.severity, 'warning');
    assert.equal(n.context.workspace_id, ws.id);
    assert.equal(n.context.state, 'failed');
    assert.equal(n.read_at, null);
    assert.ok(Number.isInteger(n.created_at) && Math.abs(n.created_at - Date.now() / 1000) < 60);
    assert.equal(await unread(ws.token), 1);
    // Nobody else hears of it: the bootstrap workspace's token, another workspace's token.
    const other = await workspace('run-failure-other');
    assert.deepEqual((await list(other.token)).data, []);
    assert.ok(!(await list(h.token)).data.some((x: any) => x.resource_id === runId));
  });

  test('mark read is idempotent, takes the id with or without its prefix, and never touches another caller’s notification', async () => {
    const ws = await workspace('mark-read');
    const stranger = await workspace('mark-read-stranger');
    await failedRun(ws.token, 'first');
    await failedRun(ws.token, 'second');
    const [second, first] = (await list(ws.token)).data;
    assert.equal(first.title, 'Snippet "fails first" failed', 'newest first');

    // Another caller marking it: 204 without effect, as published ("unowned notifications succeed").
    await markRead(stranger.token, first.id);
    await markAll(stranger.token);
    assert.equal(await unread(ws.token), 2);

    await markRead(ws.token, first.id);
    const marked = (await list(ws.token)).data.find((x: any) => x.id === first.id);
    assert.ok(Number.isInteger(marked.read_at) && marked.read_at >= marked.created_at);
    await markRead(ws.token, first.id);
    assert.equal((await list(ws.token)).data.find((x: any) => x.id === first.id).read_at, marked.read_at);
    assert.equal(await unread(ws.token), 1);
    assert.deepEqual(
      (await list(ws.token, '?unread=true')).data.map((x: any) => x.id),
      [second.id],
    );
    assert.equal((await list(ws.token, '?unread=false')).data.length, 2, 'unread=false filters nothing');

    await markRead(ws.token, second.id.slice('ntf_'.length));
    assert.equal(await unread(ws.token), 0);
    await markRead(ws.token, 'ntf_aaaaaaaaaaaaaaaaaaaaaaaaaa');
    await markRead(ws.token, 'no-such-notification');
    assert.deepEqual((await list(ws.token, '?unread=true')).data, []);
  });

  test('mark all read marks every unread notification of the caller only, and again changes nothing', async () => {
    const a = await workspace('mark-all-a');
    const b = await workspace('mark-all-b');
    await seed(a.id, a.subject, 3, 'ma');
    await seed(b.id, b.subject, 2, 'mb');
    assert.equal(await unread(a.token), 3);
    await markAll(a.token);
    assert.equal(await unread(a.token), 0);
    assert.ok((await list(a.token)).data.every((x: any) => Number.isInteger(x.read_at)));
    await markAll(a.token);
    assert.equal(await unread(b.token), 2);
  });

  test('pages hold at most 50, newest first; next_cursor (an Atoll extension parameter) reads the rest', async () => {
    const ws = await workspace('paging');
    await seed(ws.id, ws.subject, 53, 'pg');
    const first = await list(ws.token);
    assert.equal(first.data.length, 50);
    assert.equal(first.has_more, true);
    assert.equal(typeof first.next_cursor, 'string');
    assert.equal(first.data[0].title, 'Seeded 52');
    const rest = await list(ws.token, `?cursor=${first.next_cursor}`);
    assert.deepEqual(
      rest.data.map((x: any) => x.title),
      ['Seeded 2', 'Seeded 1', 'Seeded 0'],
    );
    assert.equal(rest.has_more, false);
    assert.equal(rest.next_cursor, null);
    // The unread filter pages the same way.
    await markRead(ws.token, first.data[0].id);
    const unreadPage = await list(ws.token, '?unread=true');
    assert.equal(unreadPage.data[0].title, 'Seeded 51');
    assert.equal(unreadPage.has_more, true);
  });

  test('a JWT sees what was addressed to its subject in every workspace it may act in, and nothing elsewhere', async () => {
    const alice = await jwtFor('alice');
    const mk = async (name: string) => {
      const res = await h.request('POST', '/v1/workspaces', { token: alice, body: { name } });
      assert.equal(res.status, 201, res.text);
      return res.body.id as string;
    };
    const one = await mk('Alice One');
    const two = await mk('Alice Two');
    const foreign = (await h.newWorkspace('not-alice')).id;
    await seed(one, 'alice', 1, 'j1');
    await seed(two, 'alice', 1, 'j2');
    // Addressed to her subject in a workspace she may not act in: not hers to see.
    await seed(foreign, 'alice', 1, 'j3');
    const seen = await list(alice);
    assert.deepEqual(seen.data.map((x: any) => x.context.workspace_id).sort(), [one, two].sort());
    assert.equal(await unread(alice), 2);
    // Marking cannot reach the hidden one either.
    await markAll(alice);
    assert.equal(await unread(await jwtFor('alice', [foreign])), 1);
    // A claim listing the workspace grants it; "*" grants every workspace.
    assert.equal((await list(await jwtFor('alice', '*'))).data.length, 3);
    // akua-context is not a parameter of these operations: it neither narrows nor widens the list.
    const withContext = await h.request('GET', '/v1/notifications', {
      token: alice,
      headers: { 'akua-context': one },
    });
    assert.equal(published('notifications.list', withContext, 200).data.length, 2);
    // A workspace token sees only what was addressed to it, not what its workspace's members got.
    const token = await h.request('POST', '/v1/api_tokens', {
      token: alice,
      headers: { 'akua-context': one },
      body: { name: 'one' },
    });
    assert.equal(token.status, 201, token.text);
    assert.deepEqual((await list(token.body.token)).data, []);
  });

  test('bad input is a clear 4xx naming the field; no credential is 401 as published', async () => {
    const noAuth = await h.request('GET', '/v1/notifications', { token: null });
    published('notifications.list', noAuth, 401);
    published(
      'notifications.getUnreadCount',
      await h.request('GET', '/v1/notifications/unread_count', { token: null }),
      401,
    );
    published(
      'notifications.markRead',
      await h.request('PATCH', '/v1/notifications/ntf_x/read', { token: null }),
      401,
    );
    published(
      'notifications.markAllRead',
      await h.request('POST', '/v1/notifications/mark_all_read', { token: null }),
      401,
    );

    const cases: Array<[string, string, string[]]> = [
      ['GET', '/v1/notifications?unread=yes', ['query', 'unread']],
      ['GET', '/v1/notifications?cursor=not-ours', ['query', 'cursor']],
      ['GET', '/v1/notifications?limit=10', ['query', 'limit']],
      ['GET', '/v1/notifications/unread_count?x=1', ['query', 'x']],
      ['POST', '/v1/notifications/mark_all_read?x=1', ['query', 'x']],
    ];
    for (const [method, path, field] of cases) {
      const res = await h.request(method, path);
      assert.equal(res.status, 400, `${method} ${path}: ${res.text}`);
      assert.equal(res.body.success, false);
      assert.deepEqual(res.body.errors[0].path, field, `${method} ${path}`);
    }
    // An id that cannot exist names no notification: 404, like any malformed path id (src/http/route-statuses.ts).
    for (const path of [`/v1/notifications/${'n'.repeat(55)}/read`, '/v1/notifications/%00/read']) {
      const res = await h.request('PATCH', path);
      assert.equal(res.status, 404, `${path}: ${res.text}`);
      assert.deepEqual(res.body.errors[0].path, ['path', 'id']);
    }
  });
});
