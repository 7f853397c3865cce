import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { startHarness, type Harness, type TestResponse } from '../../testing/harness.ts';
import { checkPublishedResponse } from '../../testing/published-api.ts';
import { insertMember } from './store.ts';

const SECRET = 'members-test-secret-0123456789abcdefghijkl';
const jwt = (sub: string, claims: Record<string, unknown> = {}) =>
  new SignJWT({ sub, ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(SECRET));

/** Asserts the status, and that the response is what the published operation says it is. */
function published(opId: string, res: TestResponse, status: number): TestResponse {
  assert.equal(res.status, status, `${opId}: ${res.text}`);
  assert.deepEqual(checkPublishedResponse(opId, res.status, res.body), []);
  return res;
}

describe('workspace members', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ ATOLL_JWT_SECRET: SECRET });
  });
  after(() => h.close());

  /** A workspace created by `owner` (a JWT), with the given further members added by the owner. */
  async function workspaceOf(owner: string, members: Record<string, 'admin' | 'member'> = {}) {
    const token = await jwt(owner);
    const ws = await h.request('POST', '/v1/workspaces', { token, body: { name: `ws of ${owner}` } });
    assert.equal(ws.status, 201, ws.text);
    for (const [user_id, role] of Object.entries(members)) {
      const res = await h.request('POST', `/v1/workspaces/${ws.body.id}/members`, {
        token,
        body: { user_id, role },
      });
      published('workspaces.addMember', res, 201);
    }
    return { id: ws.body.id as string, etag: ws.body.etag as string, token };
  }

  const list = (id: string, token: string) => h.request('GET', `/v1/workspaces/${id}/members`, { token });
  const patch = (id: string, userId: string, token: string, body: unknown) =>
    h.request('PATCH', `/v1/workspaces/${id}/members/${encodeURIComponent(userId)}`, { token, body });
  const remove = (id: string, userId: string, token: string) =>
    h.request('DELETE', `/v1/workspaces/${id}/members/${encodeURIComponent(userId)}`, { token });

  test('the JWT user who creates a workspace is its owner; list gives every WorkspaceMember field', async () => {
    const ws = await workspaceOf('creator-1');
    const res = published('workspaces.listMembers', await list(ws.id, ws.token), 200);
    assert.equal(res.body.has_more, false);
    assert.equal(res.body.next_cursor, null);
    assert.equal(res.body.data.length, 1);
    const [m] = res.body.data;
    assert.deepEqual(Object.keys(m).sort(), ['id', 'joined_at', 'role', 'user_id']);
    assert.equal(m.user_id, 'creator-1');
    assert.equal(m.role, 'owner');
    assert.match(m.id, /^wsm_[a-z2-7]{26}$/);
    assert.ok(Math.abs(Date.parse(m.joined_at) - Date.now()) < 60_000, m.joined_at);
    assert.equal(new Date(m.joined_at).toISOString(), m.joined_at);
  });

  test('an owner adds admins and members; they are listed in the order they joined', async () => {
    const ws = await workspaceOf('creator-2', { 'admin-2': 'admin', 'auth0|member-2': 'member' });
    const res = published('workspaces.listMembers', await list(ws.id, ws.token), 200);
    assert.deepEqual(
      res.body.data.map((m: any) => [m.user_id, m.role]),
      [
        ['creator-2', 'owner'],
        ['admin-2', 'admin'],
        ['auth0|member-2', 'member'],
      ],
    );
    const added = await h.request('POST', `/v1/workspaces/${ws.id}/members`, {
      token: ws.token,
      body: { user_id: 'late-2', role: 'member' },
    });
    published('workspaces.addMember', added, 201);
    assert.equal(added.body.user_id, 'late-2');
    assert.equal(added.headers.get('location'), `/v1/workspaces/${ws.id}/members/late-2`);
    const again = await h.request('POST', `/v1/workspaces/${ws.id}/members`, {
      token: ws.token,
      body: { user_id: 'late-2', role: 'admin' },
    });
    published('workspaces.addMember', again, 409);
    assert.deepEqual(again.body.errors[0].path, ['body', 'user_id']);
    assert.match(again.body.errors[0].message, /already a member/);
  });

  test('bodies outside the published shape are refused naming the field', async () => {
    const ws = await workspaceOf('creator-3', { 'm-3': 'member' });
    for (const [body, field] of [
      [{ user_id: 'x', role: 'owner' }, 'role'],
      [{ user_id: 'x', role: 'viewer' }, 'role'],
      [{ role: 'member' }, 'user_id'],
      [{ user_id: '', role: 'member' }, 'user_id'],
      [{ user_id: 'u'.repeat(256), role: 'member' }, 'user_id'],
      [{ user_id: 'x', role: 'member', email: 'x@y' }, 'email'],
    ] as const) {
      const res = await h.request('POST', `/v1/workspaces/${ws.id}/members`, { token: ws.token, body });
      published('workspaces.addMember', res, 422);
      assert.deepEqual(res.body.errors[0].path, ['body', field], JSON.stringify(body));
    }
    // workspaces.updateMember publishes 400 (not 422) for a bad body.
    for (const [body, field] of [
      [{ role: 'owner' }, 'role'],
      [{}, 'role'],
      [{ role: 'admin', user_id: 'y' }, 'user_id'],
    ] as const) {
      const res = await patch(ws.id, 'm-3', ws.token, body);
      published('workspaces.updateMember', res, 400);
      assert.deepEqual(res.body.errors[0].path, ['body', field], JSON.stringify(body));
    }
    // A user id that cannot exist names no member (src/http/route-statuses.ts).
    const long = await patch(ws.id, 'u'.repeat(256), ws.token, { role: 'admin' });
    published('workspaces.updateMember', long, 404);
    assert.deepEqual(long.body.errors[0].path, ['path', 'userId']);
  });

  test('a member uses the workspace but cannot manage members, tokens or the workspace (403 naming the role)', async () => {
    const ws = await workspaceOf('creator-4', { 'member-4': 'member', 'other-4': 'member' });
    const token = await jwt('member-4');
    const context = { 'akua-context': ws.id };
    published('workspaces.listMembers', await list(ws.id, token), 200);
    const snippet = await h.request('POST', '/v1/snippets', {
      token,
      headers: context,
      body: { name: 'by a member', code: 'async () => 1', display_type: 'json' },
    });
    assert.equal(snippet.status, 201, snippet.text);
    assert.equal((await h.request('GET', '/v1/api_tokens', { token, headers: context })).status, 200);

    const refusals: [string, TestResponse][] = [
      [
        'workspaces.addMember',
        await h.request('POST', `/v1/workspaces/${ws.id}/members`, {
          token,
          body: { user_id: 'friend-4', role: 'member' },
        }),
      ],
      ['workspaces.updateMember', await patch(ws.id, 'other-4', token, { role: 'admin' })],
      ['workspaces.updateMember', await patch(ws.id, 'member-4', token, { role: 'admin' })],
      ['workspaces.removeMember', await remove(ws.id, 'other-4', token)],
    ];
    for (const [opId, res] of refusals) {
      published(opId, res, 403);
      assert.match(
        res.body.errors[0].message,
        /your role in workspace \S+ is member: .* owner or admin role/,
      );
    }
    const mint = await h.request('POST', '/v1/api_tokens', { token, headers: context, body: { name: 't' } });
    assert.equal(mint.status, 403);
    assert.match(mint.body.errors[0].message, /role .* is member: creating or revoking API tokens/);
    const rename = await h.request('PATCH', `/v1/workspaces/${ws.id}`, {
      token,
      headers: { 'if-match': ws.etag },
      body: { name: 'renamed by a member' },
    });
    published('workspaces.update', rename, 403);
    assert.match(rename.body.errors[0].message, /is member: updating the workspace/);
    const drop = await h.request('DELETE', `/v1/workspaces/${ws.id}`, {
      token,
      headers: { 'if-match': ws.etag },
    });
    published('workspaces.delete', drop, 403);
    assert.match(drop.body.errors[0].message, /is member: deleting the workspace needs the owner role/);
  });

  test('an admin manages members and tokens and renames the workspace, but cannot touch an owner or delete it', async () => {
    const ws = await workspaceOf('creator-5', { 'admin-5': 'admin', 'member-5': 'member' });
    const token = await jwt('admin-5');
    const added = await h.request('POST', `/v1/workspaces/${ws.id}/members`, {
      token,
      body: { user_id: 'admin-5b', role: 'admin' },
    });
    published('workspaces.addMember', added, 201);
    const promoted = published(
      'workspaces.updateMember',
      await patch(ws.id, 'member-5', token, { role: 'admin' }),
      200,
    );
    assert.equal(promoted.body.role, 'admin');
    assert.equal(promoted.body.user_id, 'member-5');
    const demoted = published(
      'workspaces.updateMember',
      await patch(ws.id, 'admin-5b', token, { role: 'member' }),
      200,
    );
    assert.equal(demoted.body.role, 'member');
    published('workspaces.removeMember', await remove(ws.id, 'admin-5b', token), 204);

    const demoteOwner = published(
      'workspaces.updateMember',
      await patch(ws.id, 'creator-5', token, { role: 'admin' }),
      403,
    );
    assert.match(
      demoteOwner.body.errors[0].message,
      /is admin: changing an owner's role needs the owner role/,
    );
    const removeOwner = published('workspaces.removeMember', await remove(ws.id, 'creator-5', token), 403);
    assert.match(removeOwner.body.errors[0].message, /is admin: removing an owner needs the owner role/);

    const context = { 'akua-context': ws.id };
    const minted = await h.request('POST', '/v1/api_tokens', {
      token,
      headers: context,
      body: { name: 'a' },
    });
    assert.equal(minted.status, 201, minted.text);
    const revoked = await h.request('DELETE', `/v1/api_tokens/${minted.body.id}`, {
      token,
      headers: context,
    });
    assert.equal(revoked.status, 204);
    const renamed = await h.request('PATCH', `/v1/workspaces/${ws.id}`, {
      token,
      headers: { 'if-match': ws.etag },
      body: { name: 'renamed by an admin' },
    });
    published('workspaces.update', renamed, 200);
    const drop = await h.request('DELETE', `/v1/workspaces/${ws.id}`, {
      token,
      headers: { 'if-match': renamed.body.etag },
    });
    published('workspaces.delete', drop, 403);
  });

  test('the last owner can be neither demoted nor removed (409), by anyone', async () => {
    const ws = await workspaceOf('creator-6', { 'admin-6': 'admin' });
    const demote = published(
      'workspaces.updateMember',
      await patch(ws.id, 'creator-6', ws.token, { role: 'admin' }),
      409,
    );
    assert.match(demote.body.errors[0].message, /last owner/);
    published('workspaces.removeMember', await remove(ws.id, 'creator-6', ws.token), 409);
    // An owner-equivalent credential (the workspace's own API token) gets the same answer.
    const apiToken = await h.request('POST', '/v1/api_tokens', {
      token: ws.token,
      headers: { 'akua-context': ws.id },
      body: { name: 'owner-equivalent' },
    });
    published('workspaces.removeMember', await remove(ws.id, 'creator-6', apiToken.body.token), 409);
    assert.equal(demote.body.errors[0].metadata.status, 'FAILED_PRECONDITION');
    // Setting the role a member already has changes nothing and is fine.
    const same = published(
      'workspaces.updateMember',
      await patch(ws.id, 'admin-6', ws.token, { role: 'admin' }),
      200,
    );
    assert.equal(same.body.role, 'admin');
    const members = published('workspaces.listMembers', await list(ws.id, ws.token), 200);
    assert.deepEqual(
      members.body.data.map((m: any) => [m.user_id, m.role]),
      [
        ['creator-6', 'owner'],
        ['admin-6', 'admin'],
      ],
    );
  });

  test('with two owners, one may step down; two racing demotions leave exactly one owner', async () => {
    const ws = await workspaceOf('creator-7');
    await insertMember(h.database.db, { workspaceId: ws.id, subject: 'co-owner-7', role: 'owner' });
    const coToken = await jwt('co-owner-7');
    const results = await Promise.all([
      patch(ws.id, 'creator-7', ws.token, { role: 'admin' }),
      patch(ws.id, 'co-owner-7', coToken, { role: 'member' }),
    ]);
    for (const res of results)
      assert.deepEqual(checkPublishedResponse('workspaces.updateMember', res.status, res.body), []);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409]);
    const members = published('workspaces.listMembers', await list(ws.id, ws.token), 200);
    assert.equal(members.body.data.filter((m: any) => m.role === 'owner').length, 1);
  });

  test('anyone may leave; afterwards they cannot act in the workspace', async () => {
    const ws = await workspaceOf('creator-8', { 'member-8': 'member' });
    const token = await jwt('member-8');
    published('workspaces.removeMember', await remove(ws.id, 'member-8', token), 204);
    published('workspaces.listMembers', await list(ws.id, token), 403);
    const snippets = await h.request('GET', '/v1/snippets', { token, headers: { 'akua-context': ws.id } });
    assert.equal(snippets.status, 403);
    published('workspaces.removeMember', await remove(ws.id, 'member-8', ws.token), 404);
  });

  test('outsiders, unknown workspaces and unknown members', async () => {
    const ws = await workspaceOf('creator-9');
    const stranger = await jwt('stranger-9');
    published('workspaces.listMembers', await list(ws.id, stranger), 403);
    published(
      'workspaces.addMember',
      await h.request('POST', `/v1/workspaces/${ws.id}/members`, {
        token: stranger,
        body: { user_id: 'stranger-9', role: 'admin' },
      }),
      403,
    );
    published('workspaces.updateMember', await patch(ws.id, 'creator-9', stranger, { role: 'member' }), 403);
    published('workspaces.removeMember', await remove(ws.id, 'stranger-9', stranger), 403);
    published('workspaces.listMembers', await list('ws_nosuchworkspace', ws.token), 403);
    const other = await h.newWorkspace('members-other');
    published('workspaces.listMembers', await list(ws.id, other.token), 403);
    const unknown = published(
      'workspaces.updateMember',
      await patch(ws.id, 'nobody-9', ws.token, { role: 'admin' }),
      404,
    );
    assert.deepEqual(unknown.body.errors[0].path, ['path', 'userId']);
    published('workspaces.removeMember', await remove(ws.id, 'nobody-9', ws.token), 404);
    published(
      'workspaces.listMembers',
      await h.request('GET', `/v1/workspaces/${ws.id}/members`, { token: null }),
      401,
    );
  });

  test("a workspace API token acts with an owner's rights in its own workspace", async () => {
    const other = await h.newWorkspace('token-owned');
    const added = await h.request('POST', `/v1/workspaces/${other.id}/members`, {
      token: other.token,
      body: { user_id: 'invited-10', role: 'admin' },
    });
    published('workspaces.addMember', added, 201);
    const res = published('workspaces.listMembers', await list(other.id, other.token), 200);
    assert.deepEqual(
      res.body.data.map((m: any) => [m.user_id, m.role]),
      [['invited-10', 'admin']],
    );
    published('workspaces.removeMember', await remove(other.id, 'invited-10', other.token), 204);
  });

  test("a JWT whose claim grants the workspace acts with an owner's rights, whatever its membership", async () => {
    const ws = await workspaceOf('creator-11', { 'member-11': 'member' });
    const granted = await jwt('member-11', { atoll_workspaces: [ws.id] });
    const context = { 'akua-context': ws.id };
    const minted = await h.request('POST', '/v1/api_tokens', {
      token: granted,
      headers: context,
      body: { name: 'granted' },
    });
    assert.equal(minted.status, 201, minted.text);
    // Past the owner check: the last-owner rule is what stops it.
    published('workspaces.updateMember', await patch(ws.id, 'creator-11', granted, { role: 'admin' }), 409);
    const operator = await jwt('operator-11', { atoll_workspaces: '*' });
    published(
      'workspaces.addMember',
      await h.request('POST', `/v1/workspaces/${ws.id}/members`, {
        token: operator,
        body: { user_id: 'added-by-operator', role: 'member' },
      }),
      201,
    );
  });

  test('an idempotency key replays the first addMember answer', async () => {
    const ws = await workspaceOf('creator-12');
    const send = () =>
      h.request('POST', `/v1/workspaces/${ws.id}/members`, {
        token: ws.token,
        headers: { 'idempotency-key': 'add-12' },
        body: { user_id: 'once-12', role: 'member' },
      });
    const first = published('workspaces.addMember', await send(), 201);
    const replay = published('workspaces.addMember', await send(), 201);
    assert.deepEqual(replay.body, first.body);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
  });
});
