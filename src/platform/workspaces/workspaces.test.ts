import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { startHarness, type Harness } from '../../testing/harness.ts';
import { checkPublishedResponse } from '../../testing/published-api.ts';

const SECRET = 'workspace-test-secret-0123456789abcdefghij';
const userToken = (sub: string) =>
  new SignJWT({ sub })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(SECRET));

describe('workspaces', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ ATOLL_JWT_SECRET: SECRET });
  });
  after(() => h.close());

  test('get returns every Workspace field with an etag, also as the ETag header', async () => {
    const res = await h.request('GET', `/v1/workspaces/${h.workspaceId}`);
    assert.equal(res.status, 200);
    const w = res.body;
    assert.deepEqual(Object.keys(w).sort(), [
      'created_at',
      'etag',
      'id',
      'name',
      'plan',
      'slug',
      'updated_at',
      'workspace_class',
    ]);
    assert.equal(w.name, 'default');
    assert.equal(w.slug, 'default');
    assert.deepEqual(w.plan, { tier: 'self_hosted', billed_by: 'platform' });
    assert.ok(
      Number.isInteger(w.created_at) && w.created_at > 1_700_000_000 && w.created_at < 4_000_000_000,
      'Unix seconds',
    );
    assert.equal(res.headers.get('etag'), `"${w.etag}"`);
  });

  test('PATCH without if-match is 428 naming the header', async () => {
    const res = await h.request('PATCH', `/v1/workspaces/${h.workspaceId}`, { body: { name: 'x' } });
    assert.equal(res.status, 428);
    assert.deepEqual(res.body.errors[0].path, ['header', 'if-match']);
  });

  test('PATCH with a stale etag is 409 ABORTED carrying the current etag; with the fresh one it applies', async () => {
    const token = await userToken('owner-1');
    const created = await h.request('POST', '/v1/workspaces', {
      token,
      body: { name: 'Patch Me', slug: 'patch-me' },
    });
    const id = created.body.id;
    const first = await h.request('PATCH', `/v1/workspaces/${id}`, {
      token,
      headers: { 'if-match': created.body.etag },
      body: { name: 'Patched' },
    });
    assert.equal(first.status, 200);
    assert.equal(first.body.name, 'Patched');
    assert.notEqual(first.body.etag, created.body.etag);
    const stale = await h.request('PATCH', `/v1/workspaces/${id}`, {
      token,
      headers: { 'if-match': created.body.etag },
      body: { name: 'Lost' },
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.errors[0].metadata.status, 'ABORTED');
    assert.equal(stale.body.errors[0].metadata.etag, first.body.etag);
    const quoted = await h.request('PATCH', `/v1/workspaces/${id}`, {
      token,
      headers: { 'if-match': `W/"${first.body.etag}"` },
      body: { slug: 'patched' },
    });
    assert.equal(quoted.status, 200);
    assert.equal(quoted.body.slug, 'patched');
    assert.equal((await h.request('GET', `/v1/workspaces/${id}`, { token })).body.name, 'Patched');
  });

  test('two writers racing with the same etag: exactly one wins', async () => {
    const token = await userToken('owner-race');
    const created = await h.request('POST', '/v1/workspaces', { token, body: { name: 'Race' } });
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((n) =>
        h.request('PATCH', `/v1/workspaces/${created.body.id}`, {
          token,
          headers: { 'if-match': created.body.etag },
          body: { name: `Race ${n}` },
        }),
      ),
    );
    assert.equal(results.filter((r) => r.status === 200).length, 1);
    assert.equal(results.filter((r) => r.status === 409).length, 3);
  });

  test('a taken slug is 409 naming body.slug; a slug outside 3–39 characters is 422', async () => {
    const token = await userToken('owner-2');
    const taken = await h.request('POST', '/v1/workspaces', { token, body: { name: 'x', slug: 'default' } });
    assert.equal(taken.status, 409);
    assert.deepEqual(taken.body.errors[0].path, ['body', 'slug']);
    assert.deepEqual(checkPublishedResponse('workspaces.create', taken.status, taken.body), []);
    for (const slug of ['ab', 'x'.repeat(40), '🙂🙂']) {
      const bad = await h.request('POST', '/v1/workspaces', { token, body: { name: 'x', slug } });
      assert.equal(bad.status, 422, slug);
      assert.deepEqual(bad.body.errors[0].path, ['body', 'slug']);
      assert.deepEqual(checkPublishedResponse('workspaces.create', bad.status, bad.body), []);
    }
  });

  test('any slug of 3–39 characters the published document allows is kept as sent, on create and update', async () => {
    const token = await userToken('owner-slugs');
    // The published WorkspaceCreate / WorkspaceUpdate give the slug a length and no pattern.
    const slugs = ['Cov_ab12', 'Acme Research!', 'x'.repeat(39), '🙂'.repeat(39), 'ümlaut.ok~'];
    for (const slug of slugs) {
      const created = await h.request('POST', '/v1/workspaces', { token, body: { name: 'Slugs', slug } });
      assert.equal(created.status, 201, `${slug}: ${created.text}`);
      assert.equal(created.body.slug, slug);
      assert.deepEqual(checkPublishedResponse('workspaces.create', created.status, created.body), []);
      const read = await h.request('GET', `/v1/workspaces/${created.body.id}`, { token });
      assert.equal(read.body.slug, slug);
    }
    const ws = await h.request('POST', '/v1/workspaces', { token, body: { name: 'Renamed' } });
    const patched = await h.request('PATCH', `/v1/workspaces/${ws.body.id}`, {
      token,
      headers: { 'if-match': ws.body.etag },
      body: { slug: 'New_Slug_42' },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.slug, 'New_Slug_42');
    assert.deepEqual(checkPublishedResponse('workspaces.update', patched.status, patched.body), []);
  });

  test('slugs are unique exactly as sent: another case is another slug, the same text is 409', async () => {
    const token = await userToken('owner-case');
    const upper = await h.request('POST', '/v1/workspaces', {
      token,
      body: { name: 'a', slug: 'Case_Slug' },
    });
    const lower = await h.request('POST', '/v1/workspaces', {
      token,
      body: { name: 'b', slug: 'case_slug' },
    });
    assert.equal(upper.status, 201);
    assert.equal(lower.status, 201);
    const again = await h.request('POST', '/v1/workspaces', {
      token,
      body: { name: 'c', slug: 'Case_Slug' },
    });
    assert.equal(again.status, 409);
    assert.deepEqual(again.body.errors[0].path, ['body', 'slug']);
    const patched = await h.request('PATCH', `/v1/workspaces/${lower.body.id}`, {
      token,
      headers: { 'if-match': lower.body.etag },
      body: { slug: 'Case_Slug' },
    });
    assert.equal(patched.status, 409);
    assert.deepEqual(checkPublishedResponse('workspaces.update', patched.status, patched.body), []);
  });

  test('slugs derived from names are unique', async () => {
    const token = await userToken('owner-3');
    const a = await h.request('POST', '/v1/workspaces', { token, body: { name: 'Same Name' } });
    const b = await h.request('POST', '/v1/workspaces', { token, body: { name: 'Same Name' } });
    assert.equal(a.body.slug, 'same-name');
    assert.match(b.body.slug, /^same-name-[a-z2-7]{5}$/);
  });

  test('DELETE needs if-match, returns a finished workspace.delete operation, and removes tokens at once', async () => {
    const token = await userToken('owner-4');
    const ws = await h.request('POST', '/v1/workspaces', { token, body: { name: 'Doomed' } });
    const apiToken = await h.request('POST', '/v1/api_tokens', {
      token,
      headers: { 'akua-context': ws.body.id },
      body: { name: 't' },
    });
    assert.equal((await h.request('GET', '/v1/api_tokens', { token: apiToken.body.token })).status, 200);
    assert.equal((await h.request('DELETE', `/v1/workspaces/${ws.body.id}`, { token })).status, 428);
    const res = await h.request('DELETE', `/v1/workspaces/${ws.body.id}`, {
      token,
      headers: { 'if-match': ws.body.etag },
    });
    assert.equal(res.status, 202);
    assert.equal(res.body.state, 'SUCCEEDED');
    assert.equal(res.body.done, true);
    assert.deepEqual(res.body.metadata, { type: 'workspace.delete', workspace_id: ws.body.id });
    assert.match(res.body.id, /^op_/);
    assert.equal((await h.request('GET', '/v1/api_tokens', { token: apiToken.body.token })).status, 401);
    assert.equal((await h.request('GET', `/v1/workspaces/${ws.body.id}`, { token })).status, 404);
    const rows = await h.database.db
      .selectFrom('api_tokens')
      .select('id')
      .where('workspace_id', '=', ws.body.id)
      .execute();
    assert.equal(rows.length, 0);
  });

  test('akua-context on the list narrows it to that workspace', async () => {
    const token = await new SignJWT({ sub: 'admin', atoll_workspaces: '*' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(SECRET));
    const all = await h.request('GET', '/v1/workspaces', { token });
    assert.ok(all.body.data.length > 1);
    const one = await h.request('GET', '/v1/workspaces', {
      token,
      headers: { 'akua-context': h.workspaceId },
    });
    assert.deepEqual(
      one.body.data.map((w: any) => w.id),
      [h.workspaceId],
    );
  });
});
