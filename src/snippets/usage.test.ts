import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkPublishedResponse } from '../testing/published-api.ts';
import { startHarness, type Harness, type TestResponse } from '../testing/harness.ts';

describe('snippet usage', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ ATOLL_SNIPPET_CPU_MS: '1000', ATOLL_SNIPPET_WALL_MS: '2000' });
  });
  after(() => h.close());

  /** The response, after checking it is what the published operation answers with its status. */
  const published = (operationId: string, res: TestResponse, status: number): TestResponse => {
    assert.equal(res.status, status, res.text);
    assert.deepEqual(checkPublishedResponse(operationId, res.status, res.body), []);
    return res;
  };

  const create = async (name: string, code = 'async () => ({ ok: true })', token = h.token) => {
    const res = await h.request('POST', '/v1/snippets', {
      body: { name, display_type: 'json', code },
      token,
    });
    assert.equal(res.status, 201, res.text);
    return res.body.snippet_id as string;
  };

  const usageOf = async (id: string) =>
    published('snippets.getUsage', await h.request('GET', `/v1/snippets/${id}:usage`), 200).body;

  test('GET /v1/snippets/{id}:usage: no dashboards while none uses it, the run count and the newest run', async () => {
    const id = await create('usage');
    assert.deepEqual(await usageOf(id), {
      snippet_id: id,
      dashboard_count: 0,
      dashboards: [],
      run_count: 0,
      last_run: null,
    });
    const first = await h.request('POST', `/v1/snippets/${id}/runs`, { body: {} });
    assert.equal(first.status, 201, first.text);
    const second = await h.request('POST', `/v1/snippets/${id}/runs`, {
      body: { context: { source: 'dashboard_open', dashboard_id: 'dash_1', widget_id: 'wid_1' } },
    });
    assert.equal(second.status, 201, second.text);
    const usage = await usageOf(id);
    assert.equal(usage.run_count, 2);
    assert.deepEqual(usage.dashboards, [], 'a run from a dashboard does not make a dashboard resource');
    assert.equal(usage.dashboard_count, 0);
    assert.deepEqual(usage.last_run, {
      id: second.body.id,
      state: 'succeeded',
      source: 'dashboard_open',
      created_at: second.body.created_at,
    });
  });

  test('a failed run counts and is the newest run; the route is not taken for GET /v1/snippets/{id}', async () => {
    const id = await create('failing', 'async () => { throw new Error("no") }');
    const run = await h.request('POST', `/v1/snippets/${id}/runs`, { body: {} });
    assert.equal(run.status, 201, run.text);
    const usage = await usageOf(id);
    assert.equal(usage.snippet_id, id);
    assert.equal(usage.run_count, 1);
    assert.equal(usage.last_run.state, 'failed');
    assert.equal(
      (await h.request('GET', `/v1/snippets/${id}`)).body.id,
      id,
      'GET by id still answers the snippet',
    );
  });

  test('GET /v1/snippets:usage lists the active snippets as GET /v1/snippets does, page by page', async () => {
    const ws = await h.newWorkspace('usage-list');
    const ids = [];
    for (const name of ['a', 'b', 'c']) ids.push(await create(name, undefined, ws.token));
    const archived = await create('archived', undefined, ws.token);
    const del = await h.request('DELETE', `/v1/snippets/${archived}`, {
      headers: { 'if-match': '1' },
      token: ws.token,
    });
    assert.equal(del.status, 204, del.text);
    const all = published(
      'snippets.listUsage',
      await h.request('GET', '/v1/snippets:usage', { token: ws.token }),
      200,
    );
    assert.deepEqual(
      all.body.data.map((u: { snippet_id: string }) => u.snippet_id),
      [...ids].reverse(),
    );
    assert.equal(all.body.has_more, false);
    assert.equal(all.body.next_cursor, null);
    const listed = (await h.request('GET', '/v1/snippets', { token: ws.token })).body.data;
    assert.deepEqual(
      listed.map((s: { id: string }) => s.id),
      all.body.data.map((u: { snippet_id: string }) => u.snippet_id),
    );

    const first = published(
      'snippets.listUsage',
      await h.request('GET', '/v1/snippets:usage?limit=2', { token: ws.token }),
      200,
    );
    assert.equal(first.body.data.length, 2);
    assert.equal(first.body.has_more, true);
    const rest = published(
      'snippets.listUsage',
      await h.request('GET', `/v1/snippets:usage?limit=2&cursor=${first.body.next_cursor}`, {
        token: ws.token,
      }),
      200,
    );
    assert.deepEqual(
      rest.body.data.map((u: { snippet_id: string }) => u.snippet_id),
      [ids[0]],
    );
    assert.equal(rest.body.has_more, false);

    // An archived snippet is not listed, but its usage is readable by id, like the snippet itself.
    const one = published(
      'snippets.getUsage',
      await h.request('GET', `/v1/snippets/${archived}:usage`, { token: ws.token }),
      200,
    );
    assert.equal(one.body.snippet_id, archived);
  });

  test("unknown snippets and another workspace's are 404; bad query parameters are 400 naming them", async () => {
    const mine = await create('mine');
    const other = await h.newWorkspace('usage-other');
    for (const [url, token] of [
      ['/v1/snippets/snp_aaaaaaaaaaaaaaaaaaaaaaaaaa:usage', h.token],
      [`/v1/snippets/${mine}:usage`, other.token],
    ] as const) {
      const res = published('snippets.getUsage', await h.request('GET', url, { token }), 404);
      assert.equal(res.body.errors[0].metadata.status, 'NOT_FOUND');
    }
    const other401 = await h.request('GET', `/v1/snippets/${mine}:usage`, { token: 'sk_atoll_nope' });
    published('snippets.getUsage', other401, 401);
    published('snippets.listUsage', await h.request('GET', '/v1/snippets:usage', { token: null }), 401);

    const cursor = await h.request('GET', '/v1/snippets:usage?cursor=nope');
    assert.equal(cursor.status, 400);
    assert.deepEqual(cursor.body.errors[0].path, ['query', 'cursor']);
    const unknown = await h.request('GET', '/v1/snippets:usage?dashboard=1');
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body.errors[0].path, ['query', 'dashboard']);
  });
});
