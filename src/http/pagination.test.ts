import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { issueToken } from '../platform/api-tokens/service.ts';
import { startHarness, type Harness } from '../testing/harness.ts';
import { checkPublishedResponse } from '../testing/published-api.ts';

describe('cursor pagination', () => {
  let h: Harness;
  let ws: { id: string; token: string };
  before(async () => {
    h = await startHarness();
    ws = await h.newWorkspace('paging');
    for (let i = 0; i < 249; i++) {
      await issueToken(h.database.db, {
        workspaceId: ws.id,
        name: `t${i}`,
        createdBy: 'test',
        expiresAt: null,
      });
    }
  });
  after(() => h.close());

  test('250 rows paged with inserts between pages: no row twice, none skipped, newest first', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/v1/api_tokens?limit=17${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await h.request('GET', url, { token: ws.token });
      assert.equal(res.status, 200);
      assert.ok(res.body.data.length <= 17);
      seen.push(...res.body.data.map((t: any) => t.id));
      cursor = res.body.next_cursor;
      assert.equal(res.body.has_more, cursor !== null);
      pages++;
      // Rows inserted between page reads land before the cursor and must not disturb later pages.
      await issueToken(h.database.db, {
        workspaceId: ws.id,
        name: `late${pages}`,
        createdBy: 'test',
        expiresAt: null,
      });
    } while (cursor !== null);
    const original = await h.database.db
      .selectFrom('api_tokens')
      .select(['id', 'name'])
      .where('workspace_id', '=', ws.id)
      .where('name', 'not like', 'late%')
      .orderBy('seq', 'desc')
      .execute();
    assert.equal(original.length, 250);
    assert.equal(new Set(seen).size, seen.length, 'no row twice');
    const served = seen.filter((id) => original.some((o) => o.id === id));
    assert.deepEqual(
      served,
      original.map((o) => o.id),
      'every original row, in order',
    );
    assert.equal(pages, Math.ceil(250 / 17));
  });

  test('the default page size is 50 and the maximum is 100', async () => {
    assert.equal((await h.request('GET', '/v1/api_tokens', { token: ws.token })).body.data.length, 50);
    assert.equal(
      (await h.request('GET', '/v1/api_tokens?limit=100', { token: ws.token })).body.data.length,
      100,
    );
  });

  test('a limit above 100 is served as 100 with has_more, not refused (the published lists list no 400)', async () => {
    for (const limit of ['101', '1000', '99999999999']) {
      const res = await h.request('GET', `/v1/api_tokens?limit=${limit}`, { token: ws.token });
      assert.equal(res.status, 200, `${limit}: ${res.text}`);
      assert.equal(res.body.data.length, 100);
      assert.equal(res.body.has_more, true);
      assert.deepEqual(checkPublishedResponse('apiTokens.list', res.status, res.body), []);
    }
  });

  test('a limit below 1 or not a whole number is 400 naming query.limit', async () => {
    for (const limit of ['0', '-1', 'abc', '2.5', '1e400']) {
      const res = await h.request('GET', `/v1/api_tokens?limit=${limit}`, { token: ws.token });
      assert.equal(res.status, 400, limit);
      assert.deepEqual(res.body.errors[0].path, ['query', 'limit']);
    }
  });

  test('a cursor we did not issue is 400 naming query.cursor', async () => {
    for (const cursor of ['garbage', Buffer.from('{"v":2}').toString('base64url')]) {
      const res = await h.request('GET', `/v1/api_tokens?cursor=${cursor}`, { token: ws.token });
      assert.equal(res.status, 400);
      assert.deepEqual(res.body.errors[0].path, ['query', 'cursor']);
    }
  });

  test('an unknown query parameter is 400 naming it, not silently ignored', async () => {
    const res = await h.request('GET', '/v1/api_tokens?limt=5', { token: ws.token });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.errors[0].path, ['query', 'limt']);
  });
});
