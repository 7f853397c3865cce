import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { eventually } from '../testing/eventually.ts';
import { startHarness, type Harness } from '../testing/harness.ts';

const SECRET = 'test-jwt-secret-that-is-long-enough-0123456789';
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'atoll-test';

async function jwt(
  claims: Record<string, unknown>,
  options: { secret?: string; exp?: string; iss?: string } = {},
) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(AUDIENCE)
    .setExpirationTime(options.exp ?? '10m')
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

describe('authentication and workspace access', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      ATOLL_JWT_SECRET: SECRET,
      ATOLL_JWT_ISSUER: ISSUER,
      ATOLL_JWT_AUDIENCE: AUDIENCE,
    });
  });
  after(() => h.close());

  const codeOf = (body: any) => body.errors[0].metadata.status;

  test('a request without credentials is 401 in the Akua envelope', async () => {
    const res = await h.request('GET', '/v1/api_tokens', { token: null });
    assert.equal(res.status, 401);
    assert.equal(res.body.success, false);
    assert.deepEqual(res.body.result, {});
    assert.equal(res.body.errors[0].code, 7001);
    assert.deepEqual(res.body.errors[0].path, ['header', 'authorization']);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="atoll"');
  });

  test('a malformed Authorization header is 401', async () => {
    for (const value of ['Basic abc', 'Bearer', 'Bearer a b', 'token']) {
      const res = await h.request('GET', '/v1/api_tokens', {
        token: null,
        headers: { authorization: value },
      });
      assert.equal(res.status, 401, value);
    }
  });

  test('an unknown token is 401', async () => {
    const res = await h.request('GET', '/v1/api_tokens', { token: `sk_atoll_${'x'.repeat(43)}` });
    assert.equal(res.status, 401);
    assert.match(res.body.errors[0].message, /unknown API token/);
  });

  test('an expired token is 401 and says it expired', async () => {
    // Two seconds ahead, so that a loaded machine cannot reach it before the token is created.
    const expiresAt = Math.floor(Date.now() / 1000) + 2;
    const created = await h.request('POST', '/v1/api_tokens', {
      body: { name: 'short', expires_at: expiresAt },
    });
    assert.equal(created.status, 201);
    assert.equal((await h.request('GET', '/v1/api_tokens', { token: created.body.token })).status, 200);
    // Deliberate: the token must expire, which only time does.
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt * 1000 + 100 - Date.now())));
    const res = await h.request('GET', '/v1/api_tokens', { token: created.body.token });
    assert.equal(res.status, 401);
    assert.match(res.body.errors[0].message, /expired/);
  });

  test('an expires_at in the past is refused naming the field', async () => {
    const res = await h.request('POST', '/v1/api_tokens', { body: { name: 'old', expires_at: 1000 } });
    assert.equal(res.status, 422);
    assert.deepEqual(res.body.errors[0].path, ['body', 'expires_at']);
  });

  test('a revoked token stops working on the very next request', async () => {
    const created = await h.request('POST', '/v1/api_tokens', { body: { name: 'to-revoke' } });
    const token = created.body.token as string;
    assert.equal((await h.request('GET', '/v1/api_tokens', { token })).status, 200);
    assert.equal((await h.request('DELETE', `/v1/api_tokens/${created.body.id}`)).status, 204);
    const res = await h.request('GET', '/v1/api_tokens', { token });
    assert.equal(res.status, 401);
    assert.match(res.body.errors[0].message, /revoked/);
    const listed = await h.request('GET', '/v1/api_tokens');
    assert.ok(!listed.body.data.some((t: any) => t.id === created.body.id), 'revoked tokens are not listed');
    assert.equal((await h.request('DELETE', `/v1/api_tokens/${created.body.id}`)).status, 404);
  });

  test('tokens are stored hashed and listed with their prefix; last_used_at is kept', async () => {
    const created = await h.request('POST', '/v1/api_tokens', { body: { name: 'listed' } });
    assert.match(created.body.token, /^sk_atoll_[A-Za-z0-9_-]{43}$/);
    const rows = await h.database.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', created.body.id)
      .execute();
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0]!.token_hash, created.body.token);
    assert.ok(!JSON.stringify(rows).includes(created.body.token), 'the plaintext token is not stored');
    await h.request('GET', '/v1/api_tokens', { token: created.body.token });
    const item = await eventually(
      async () => {
        const listed = await h.request('GET', '/v1/api_tokens');
        const item = listed.body.data.find((t: any) => t.id === created.body.id);
        assert.equal(typeof item.last_used_at, 'number');
        return item;
      },
      { message: 'the use of the token to be recorded' },
    );
    assert.equal(item.prefix, created.body.token.slice(0, 13));
    assert.equal(item.token, undefined);
  });

  test("another workspace's token sees only its own workspace, and other workspaces' resources are 404", async () => {
    const other = await h.newWorkspace('other-ws');
    const list = await h.request('GET', '/v1/workspaces', { token: other.token });
    assert.deepEqual(
      list.body.data.map((w: any) => w.id),
      [other.id],
    );
    assert.equal(
      (await h.request('GET', `/v1/workspaces/${h.workspaceId}`, { token: other.token })).status,
      404,
    );
    const mine = await h.request('POST', '/v1/api_tokens', { body: { name: 'mine' } });
    const revoke = await h.request('DELETE', `/v1/api_tokens/${mine.body.id}`, { token: other.token });
    assert.equal(revoke.status, 404);
    assert.equal(
      (await h.request('GET', '/v1/api_tokens', { token: mine.body.token })).status,
      200,
      'still valid',
    );
    const tokens = await h.request('GET', '/v1/api_tokens', { token: other.token });
    assert.ok(tokens.body.data.every((t: any) => t.workspace_id === other.id));
  });

  test('a workspace token naming another workspace in akua-context is 403', async () => {
    const other = await h.newWorkspace('ctx-other');
    const res = await h.request('GET', '/v1/api_tokens', { headers: { 'akua-context': other.id } });
    assert.equal(res.status, 403);
    assert.equal(codeOf(res.body), 'PERMISSION_DENIED');
    const same = await h.request('GET', '/v1/api_tokens', { headers: { 'akua-context': h.workspaceId } });
    assert.equal(same.status, 200);
  });

  test('a malformed akua-context is 400 naming the header', async () => {
    const res = await h.request('GET', '/v1/api_tokens', { headers: { 'akua-context': 'not-a-workspace' } });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.errors[0].path, ['header', 'akua-context']);
  });

  test('a JWT acts in the workspace named by akua-context when its claim allows it', async () => {
    const token = await jwt({ sub: 'user-1', atoll_workspaces: [h.workspaceId] });
    const res = await h.request('GET', '/v1/api_tokens', {
      token,
      headers: { 'akua-context': h.workspaceId },
    });
    assert.equal(res.status, 200);
    const created = await h.request('POST', '/v1/api_tokens', {
      token,
      headers: { 'akua-context': h.workspaceId },
      body: { name: 'by-jwt' },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.workspace_id, h.workspaceId);
  });

  test('a JWT without akua-context acts in the only workspace it may act in', async () => {
    const token = await jwt({ sub: 'user-1', atoll_workspaces: [h.workspaceId] });
    const res = await h.request('GET', '/v1/api_tokens', { token });
    assert.equal(res.status, 200);
    const created = await h.request('POST', '/v1/snippets', {
      token,
      body: { name: 'by-jwt', code: 'async () => 1', display_type: 'json' },
    });
    assert.equal(created.status, 201);
    const read = await h.request('GET', `/v1/snippets/${created.body.snippet_id}`);
    assert.equal(read.body.workspace_id, h.workspaceId);
  });

  test('a JWT that may act in several workspaces names one, or its default-workspace claim does', async () => {
    const other = await h.newWorkspace('jwt-default');
    const both = [h.workspaceId, other.id];
    const token = await jwt({ sub: 'user-3', atoll_workspaces: both });
    const ambiguous = await h.request('GET', '/v1/api_tokens', { token });
    assert.equal(ambiguous.status, 400);
    assert.deepEqual(ambiguous.body.errors[0].path, ['header', 'akua-context']);
    assert.match(ambiguous.body.errors[0].message, /several workspaces .*default-workspace claim/);

    const withDefault = await jwt({
      sub: 'user-3',
      atoll_workspaces: both,
      atoll_default_workspace: other.id,
    });
    const created = await h.request('POST', '/v1/api_tokens', { token: withDefault, body: { name: 'x' } });
    assert.equal(created.status, 201);
    assert.equal(created.body.workspace_id, other.id);

    const outside = await jwt({
      sub: 'user-3',
      atoll_workspaces: [h.workspaceId],
      atoll_default_workspace: other.id,
    });
    const refused = await h.request('GET', '/v1/api_tokens', { token: outside });
    assert.equal(refused.status, 403);
    assert.match(refused.body.errors[0].message, /default workspace/);

    const none = await jwt({ sub: 'user-4', atoll_workspaces: [] });
    assert.equal((await h.request('GET', '/v1/api_tokens', { token: none })).status, 403);
  });

  test('a JWT without akua-context on a by-id operation acts in the workspace of the resource', async () => {
    const other = await h.newWorkspace('jwt-by-id');
    const token = await jwt({ sub: 'user-5', atoll_workspaces: [h.workspaceId, other.id] });
    const snippet = await h.request('POST', '/v1/snippets', {
      token: other.token,
      body: { name: 'theirs', code: 'async () => 41 + 1', display_type: 'json' },
    });
    const read = await h.request('GET', `/v1/snippets/${snippet.body.snippet_id}`, { token });
    assert.equal(read.status, 200);
    assert.equal(read.body.workspace_id, other.id);
    const run = await h.request('POST', `/v1/snippets/${snippet.body.snippet_id}%3Aexecute`, {
      token,
      body: {},
    });
    assert.equal(run.status, 200);
    assert.equal(run.body.result, 42);

    const stranger = await jwt({ sub: 'user-6', atoll_workspaces: [h.workspaceId] });
    const hidden = await h.request('GET', `/v1/snippets/${snippet.body.snippet_id}`, { token: stranger });
    assert.equal(hidden.status, 404, 'a resource in a workspace the caller may not see is not found');
    assert.equal(hidden.body.errors[0].message, `snippet ${snippet.body.snippet_id} not found`);
    const missing = await h.request('GET', '/v1/agents/agt_doesnotexist', { token });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.errors[0].message, 'agent agt_doesnotexist not found');
  });

  test('the operation that deleted a workspace stays readable by the JWT that started it', async () => {
    const owner = await jwt({ sub: 'deleter' });
    const ws = await h.request('POST', '/v1/workspaces', { token: owner, body: { name: 'Short Lived' } });
    const etag = (await h.request('GET', `/v1/workspaces/${ws.body.id}`, { token: owner })).headers.get(
      'etag',
    )!;
    const deleted = await h.request('DELETE', `/v1/workspaces/${ws.body.id}`, {
      token: owner,
      headers: { 'if-match': etag },
    });
    assert.equal(deleted.status, 202);
    const opId = deleted.body.id;
    const read = await h.request('GET', `/v1/operations/${opId}`, { token: owner });
    assert.equal(read.status, 200);
    assert.equal(read.body.metadata.type, 'workspace.delete');
    assert.equal(
      (await h.request('POST', `/v1/operations/${opId}%3Await`, { token: owner, body: {} })).status,
      200,
    );
    const someoneElse = await jwt({ sub: 'bystander', atoll_workspaces: '*' });
    assert.equal((await h.request('GET', `/v1/operations/${opId}`, { token: someoneElse })).status, 404);
  });

  test('a JWT for a workspace it may not use is 403, whether or not that workspace exists', async () => {
    const token = await jwt({ sub: 'user-2', atoll_workspaces: [] });
    const res = await h.request('GET', '/v1/api_tokens', {
      token,
      headers: { 'akua-context': h.workspaceId },
    });
    assert.equal(res.status, 403);
    const ghost = await h.request('GET', '/v1/api_tokens', {
      token,
      headers: { 'akua-context': 'ws_doesnotexist' },
    });
    assert.equal(ghost.status, 403);
    assert.equal((await h.request('GET', `/v1/workspaces/${h.workspaceId}`, { token })).status, 404);
  });

  test('a JWT with a bad signature, issuer or expiry is 401', async () => {
    const cases = [
      await jwt({ sub: 'u' }, { secret: 'another-secret-that-is-long-enough-000000000' }),
      await jwt({ sub: 'u' }, { iss: 'https://evil.test' }),
      await jwt({ sub: 'u' }, { exp: '1s' }).then(async (t) => {
        await new Promise((r) => setTimeout(r, 1100)); // deliberate: past the JWT's 1 s expiry
        return t;
      }),
      await jwt({}),
    ];
    for (const token of cases) {
      const res = await h.request('GET', '/v1/workspaces', { token });
      assert.equal(res.status, 401, token);
    }
  });

  test('a JWT user creates workspaces, becomes their member and lists them', async () => {
    const token = await jwt({ sub: 'creator' });
    const created = await h.request('POST', '/v1/workspaces', { token, body: { name: 'Acme Research' } });
    assert.equal(created.status, 201);
    assert.equal(created.body.slug, 'acme-research');
    assert.match(created.body.id, /^ws_[a-z2-7]{26}$/);
    const list = await h.request('GET', '/v1/workspaces', { token });
    assert.deepEqual(
      list.body.data.map((w: any) => w.id),
      [created.body.id],
    );
    const tokens = await h.request('GET', '/v1/api_tokens', {
      token,
      headers: { 'akua-context': created.body.id },
    });
    assert.equal(tokens.status, 200);
    const stranger = await jwt({ sub: 'stranger' });
    assert.equal(
      (await h.request('GET', `/v1/workspaces/${created.body.id}`, { token: stranger })).status,
      404,
    );
  });

  test('a workspace token may not create workspaces (403)', async () => {
    const res = await h.request('POST', '/v1/workspaces', { body: { name: 'nope' } });
    assert.equal(res.status, 403);
  });

  test('a JWT is refused when the server has no JWT configuration', async () => {
    const plain = await startHarness();
    try {
      const token = await jwt({ sub: 'u' });
      const res = await plain.request('GET', '/v1/workspaces', { token });
      assert.equal(res.status, 401);
      assert.match(res.body.errors[0].message, /does not accept JWTs/);
    } finally {
      await plain.close();
    }
  });
});
