import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { issueToken } from '../platform/api-tokens/service.ts';
import { eventually } from '../testing/eventually.ts';
import { startHarness, type Harness } from '../testing/harness.ts';
import { requireWorkspace } from './auth.ts';
import { idempotent } from './idempotency.ts';

describe('idempotency keys', () => {
  let h: Harness;
  let attempts = 0;
  before(async () => {
    h = await startHarness();
    // A route that fails unexpectedly (500) on its first attempt, before or after making a token.
    h.atoll.app.post(
      '/v1/test/flaky/:when',
      requireWorkspace,
      idempotent({ operation: 'test.flaky' }, async (c) => {
        const when = c.req.param('when');
        if (++attempts === 1 && when === 'before-writing') throw new Error('failed before writing');
        await issueToken(h.database.db, {
          workspaceId: c.var.workspaceId,
          name: `flaky-${when}`,
          createdBy: 'test',
          expiresAt: null,
        });
        if (attempts === 1) throw new Error('failed after writing');
        return c.json({ ok: true }, 201);
      }),
    );
  });
  after(() => h.close());

  const countTokens = async (name: string) =>
    (await h.database.db.selectFrom('api_tokens').select('id').where('name', '=', name).execute()).length;

  test('a replay returns the first status, headers and body and creates nothing more', async () => {
    const headers = { 'idempotency-key': 'replay-1' };
    const first = await h.request('POST', '/v1/api_tokens', { headers, body: { name: 'idem-a' } });
    const second = await h.request('POST', '/v1/api_tokens', { headers, body: { name: 'idem-a' } });
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(second.text, first.text, 'byte-for-byte the same body, including the one-time token');
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(first.headers.get('idempotent-replayed'), null);
    assert.equal(await countTokens('idem-a'), 1);
  });

  test('key order in the JSON body does not make a different request', async () => {
    const headers = { 'idempotency-key': 'order-1' };
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const a = await h.request('POST', '/v1/api_tokens', {
      headers,
      raw: `{"name":"idem-o","expires_at":${exp}}`,
    });
    assert.equal(a.status, 415, 'no content type is refused');
    const b = await h.request('POST', '/v1/api_tokens', {
      headers: { ...headers, 'content-type': 'application/json' },
      raw: `{"name":"idem-o","expires_at":${exp}}`,
    });
    const c = await h.request('POST', '/v1/api_tokens', {
      headers: { ...headers, 'content-type': 'application/json' },
      raw: `{"expires_at":${exp},"name":"idem-o"}`,
    });
    assert.equal(b.status, 201);
    assert.equal(c.text, b.text);
  });

  test('the same key with a different body is 409 naming the header', async () => {
    const headers = { 'idempotency-key': 'conflict-1' };
    assert.equal(
      (await h.request('POST', '/v1/api_tokens', { headers, body: { name: 'idem-b' } })).status,
      201,
    );
    const res = await h.request('POST', '/v1/api_tokens', { headers, body: { name: 'idem-c' } });
    assert.equal(res.status, 409);
    assert.equal(res.body.errors[0].metadata.status, 'IDEMPOTENCY_CONFLICT');
    assert.deepEqual(res.body.errors[0].path, ['header', 'idempotency-key']);
    assert.equal(await countTokens('idem-c'), 0);
  });

  test('keys are scoped by workspace: another workspace may use the same key', async () => {
    const other = await h.newWorkspace('idem-other');
    const headers = { 'idempotency-key': 'shared-key' };
    const mine = await h.request('POST', '/v1/api_tokens', { headers, body: { name: 'idem-d' } });
    const theirs = await h.request('POST', '/v1/api_tokens', {
      token: other.token,
      headers,
      body: { name: 'idem-d' },
    });
    assert.equal(mine.status, 201);
    assert.equal(theirs.status, 201);
    assert.notEqual(mine.body.id, theirs.body.id);
  });

  test('a replay by another credential of the same workspace cannot read the stored token', async () => {
    const second = await h.request('POST', '/v1/api_tokens', { body: { name: 'second-cred' } });
    const headers = { 'idempotency-key': 'cred-bound' };
    assert.equal(
      (await h.request('POST', '/v1/api_tokens', { headers, body: { name: 'idem-e' } })).status,
      201,
    );
    const res = await h.request('POST', '/v1/api_tokens', {
      token: second.body.token,
      headers,
      body: { name: 'idem-e' },
    });
    assert.equal(res.status, 409);
    const stored = await h.database.db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('key', '=', 'cred-bound')
      .executeTakeFirstOrThrow();
    assert.equal(stored.encrypted, true);
    assert.ok(!stored.response_body!.includes('sk_atoll_'), 'the token is not stored in clear');
  });

  test('20 concurrent requests with one key have exactly one effect and all get the same answer', async () => {
    const headers = { 'idempotency-key': 'burst-1' };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        h.request('POST', '/v1/api_tokens', { headers, body: { name: 'idem-burst' } }),
      ),
    );
    assert.equal(await countTokens('idem-burst'), 1);
    for (const res of responses) {
      assert.equal(res.status, 201);
      assert.equal(res.text, responses[0]!.text);
    }
  });

  /** A snippet busy for `ms` in its isolate (the guest has no timers); its run is recorded after. */
  const slowSnippet = async (ms: number) => {
    const res = await h.request('POST', '/v1/snippets', {
      body: {
        name: `slow-${ms}`,
        display_type: 'json',
        code: `async () => { const end = Date.now() + ${ms}; while (Date.now() < end) {} return 1; }`,
      },
    });
    assert.equal(res.status, 201, res.text);
    return res.body.snippet_id as string;
  };

  test('a request running longer than the claim lease keeps its key: a twin waits and gets its replay', async () => {
    const id = await slowSnippet(7000);
    const headers = { 'idempotency-key': 'outlives-the-lease' };
    const first = h.request('POST', `/v1/snippets/${id}/runs`, { headers, body: {} });
    await new Promise((r) => setTimeout(r, 6000)); // deliberate: past the 5 s lease, only renewal keeps the claim
    const twin = await h.request('POST', `/v1/snippets/${id}/runs`, { headers, body: {} });
    const original = await first;
    assert.equal(original.status, 201, original.text);
    assert.equal(twin.status, 201, twin.text);
    assert.equal(twin.headers.get('idempotent-replayed'), 'true');
    assert.equal(twin.body.id, original.body.id);
  });

  test('a request whose claim was taken over is refused at its first write and changes nothing', async () => {
    const id = await slowSnippet(2000);
    const headers = { 'idempotency-key': 'taken-over' };
    const first = h.request('POST', `/v1/snippets/${id}/runs`, { headers, body: {} });
    await eventually(
      async () =>
        (await h.database.db
          .selectFrom('idempotency_keys')
          .select('key')
          .where('key', '=', 'taken-over')
          .executeTakeFirst()) !== undefined,
      { message: 'the first request to claim its key' },
    );
    // What a retry in another process does once this claim's lease lapsed (this process stalled).
    await h.database.db
      .updateTable('idempotency_keys')
      .set({ owner: 'another process' })
      .where('key', '=', 'taken-over')
      .execute();
    const refused = await first;
    assert.equal(refused.status, 409, refused.text);
    const [error] = refused.body.errors;
    assert.equal(error.metadata.status, 'IDEMPOTENCY_CONFLICT');
    assert.match(error.message, /a retry took it over; it was stopped before changing anything/);
    const runs = await h.request('GET', `/v1/snippets/${id}/runs`);
    assert.equal(runs.body.data.length, 0, 'no run was recorded');
  });

  test('a request that failed unexpectedly before writing is executed by its retry', async () => {
    attempts = 0;
    const headers = { 'idempotency-key': 'flaky-before' };
    assert.equal((await h.request('POST', '/v1/test/flaky/before-writing', { headers })).status, 500);
    const retry = await h.request('POST', '/v1/test/flaky/before-writing', { headers });
    assert.equal(retry.status, 201, retry.text);
    assert.equal(await countTokens('flaky-before-writing'), 1);
  });

  test('a request that failed unexpectedly after writing is not executed again: its retry is told so', async () => {
    attempts = 0;
    const headers = { 'idempotency-key': 'flaky-after' };
    assert.equal((await h.request('POST', '/v1/test/flaky/after-writing', { headers })).status, 500);
    const retry = await h.request('POST', '/v1/test/flaky/after-writing', { headers });
    assert.equal(retry.status, 409, retry.text);
    assert.match(JSON.stringify(retry.body), /interrupted .* not executed again/);
    assert.equal(attempts, 1, 'the handler ran once');
    assert.equal(await countTokens('flaky-after-writing'), 1);
  });

  test('a key longer than 64 characters is 400', async () => {
    const res = await h.request('POST', '/v1/api_tokens', {
      headers: { 'idempotency-key': 'k'.repeat(65) },
      body: { name: 'x' },
    });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.errors[0].path, ['header', 'idempotency-key']);
  });

  test('a request that fails validation does not use up the key', async () => {
    const headers = { 'idempotency-key': 'invalid-first' };
    assert.equal((await h.request('POST', '/v1/api_tokens', { headers, body: { name: '' } })).status, 422);
    assert.equal(
      (await h.request('POST', '/v1/api_tokens', { headers, body: { name: 'valid-later' } })).status,
      201,
    );
  });

  test('a 4xx outcome of an executed request is replayed too', async () => {
    const created = await h.request('POST', '/v1/api_tokens', { body: { name: 'idem-del' } });
    const ws = await h.request('GET', `/v1/workspaces/${h.workspaceId}`);
    const headers = { 'idempotency-key': 'stale-delete', 'if-match': String(Number(ws.body.etag) + 5) };
    const first = await h.request('DELETE', `/v1/workspaces/${h.workspaceId}`, { headers });
    assert.equal(first.status, 409);
    const again = await h.request('DELETE', `/v1/workspaces/${h.workspaceId}`, { headers });
    assert.equal(again.status, 409);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.ok(created.status === 201);
  });

  test('expired records are swept and the key can be used again', async () => {
    const headers = { 'idempotency-key': 'expiring' };
    assert.equal(
      (await h.request('POST', '/v1/api_tokens', { headers, body: { name: 'idem-x1' } })).status,
      201,
    );
    await h.database.db
      .updateTable('idempotency_keys')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('key', '=', 'expiring')
      .execute();
    const again = await h.request('POST', '/v1/api_tokens', { headers, body: { name: 'idem-x2' } });
    assert.equal(again.status, 201, 'an expired key is a new key');
    await h.database.db
      .updateTable('idempotency_keys')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('key', '=', 'expiring')
      .execute();
    const { createIdempotencyStore } = await import('./idempotency-store.ts');
    const store = createIdempotencyStore(h.database.db, {
      ttlSeconds: 86400,
      owner: 'test',
      log: pino({ level: 'silent' }),
    });
    assert.ok((await store.sweep()) >= 1);
    store.close();
  });
});
