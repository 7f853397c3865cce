import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness, type TestResponse } from '../../testing/harness.ts';
import { checkPublishedResponse } from '../../testing/published-api.ts';

function published(res: TestResponse): TestResponse {
  assert.deepEqual(checkPublishedResponse('entitlements.list', res.status, res.body), [], res.text);
  return res;
}

type Entitlement = {
  workspace_id: string;
  feature: { feature_set: string; key: string; name: string };
  allocation: { type: string; value: unknown };
};

describe('entitlements', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ ATOLL_SANDBOX_CAPACITY: '5', ATOLL_SNIPPET_MEMORY_MB: '96' });
  });
  after(() => h.close());

  const list = async (query = '', token: string | null = h.token) =>
    published(await h.request('GET', `/v1/entitlements${query}`, { token }));
  const byKey = (data: Entitlement[]) => new Map(data.map((e) => [e.feature.key, e]));

  test('the features this server serves, its configured caps and what it does not cap', async () => {
    const res = await list('?limit=100');
    assert.equal(res.status, 200);
    assert.equal(res.body.has_more, false);
    const all = byKey(res.body.data);
    for (const e of res.body.data as Entitlement[]) {
      assert.equal(e.workspace_id, h.workspaceId);
      assert.ok(e.feature.key.startsWith(`${e.feature.feature_set}.`), e.feature.key);
      assert.ok(e.feature.name.length > 0);
    }
    for (const set of ['snippets', 'agents', 'packages', 'installs', 'agent_deployments']) {
      assert.deepEqual(all.get(`${set}.enabled`)?.allocation, { type: 'bool', value: true }, set);
    }
    assert.deepEqual(all.get('packages.helm_sources')?.allocation, { type: 'bool', value: true });
    assert.deepEqual(all.get('compute.max_clusters')?.allocation, { type: 'max_count', value: 0 });
    assert.deepEqual(all.get('agent_deployments.max_sandboxes')?.allocation, { type: 'max_count', value: 5 });
    assert.deepEqual(all.get('snippets.max_run_memory_mb')?.allocation, { type: 'max_count', value: 96 });
    assert.deepEqual(all.get('platform.max_api_tokens')?.allocation, { type: 'unlimited', value: null });
    assert.match(res.body.etag, /^[A-Za-z0-9_-]{22}$/);
  });

  test('feature_set and feature filter; a filter matching nothing is an empty list', async () => {
    const set = await list('?feature_set=agent_deployments&limit=100');
    assert.ok(set.body.data.length > 1);
    assert.ok(set.body.data.every((e: Entitlement) => e.feature.feature_set === 'agent_deployments'));
    const one = await list('?feature=compute.max_clusters');
    assert.deepEqual(
      one.body.data.map((e: Entitlement) => e.feature.key),
      ['compute.max_clusters'],
    );
    const none = await list('?feature_set=snippets&feature=compute.max_clusters');
    assert.deepEqual(none.body.data, []);
    assert.equal(none.body.has_more, false);
    assert.equal((await list('?feature_set=billing')).body.data.length, 0);
  });

  test('the workspace filter matches the workspace of the request only', async () => {
    const mine = await list(`?workspace=${h.workspaceId}&limit=100`);
    const all = await list('?limit=100');
    assert.deepEqual(mine.body.data, all.body.data);
    const other = await h.newWorkspace('entitlements-other');
    assert.deepEqual((await list(`?workspace=${other.id}`)).body.data, []);
    const theirs = await list('?feature=snippets.enabled', other.token);
    assert.equal(theirs.body.data[0].workspace_id, other.id);
  });

  test('pages follow a fixed order and cover the list once; the etag is the same on every page', async () => {
    const whole = (await list('?limit=100')).body;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: TestResponse = await list(`?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      assert.ok(page.body.data.length <= 7);
      assert.equal(page.body.etag, whole.etag);
      seen.push(...page.body.data.map((e: Entitlement) => e.feature.key));
      cursor = page.body.next_cursor;
      assert.equal(page.body.has_more, cursor !== null);
    } while (cursor);
    assert.deepEqual(
      seen,
      whole.data.map((e: Entitlement) => e.feature.key),
    );
    const filtered = await list('?feature_set=snippets&limit=2');
    const rest = await list(`?feature_set=snippets&limit=100&cursor=${filtered.body.next_cursor}`);
    assert.deepEqual(
      [...filtered.body.data, ...rest.body.data].map((e: Entitlement) => e.feature.key),
      whole.data
        .filter((e: Entitlement) => e.feature.feature_set === 'snippets')
        .map((e: Entitlement) => e.feature.key),
    );
  });

  test('without a credential 401; naming another workspace in akua-context 403', async () => {
    assert.equal((await list('', null)).status, 401);
    const other = await h.newWorkspace('entitlements-403');
    const res = await h.request('GET', '/v1/entitlements', { headers: { 'akua-context': other.id } });
    assert.equal(published(res).status, 403);
  });

  test('malformed filters and pages are 400 naming them, a status the published list omits', async () => {
    assert.equal((await h.request('GET', '/v1/entitlements?limit=101')).status, 200, 'served at 100');
    for (const [query, field] of [
      ['?cursor=nope', 'cursor'],
      ['?feature_set=', 'feature_set'],
      [`?feature=${'k'.repeat(257)}`, 'feature'],
      ['?colour=red', 'colour'],
    ]) {
      const res = await h.request('GET', `/v1/entitlements${query}`);
      assert.equal(res.status, 400, query);
      assert.deepEqual(res.body.errors[0].path, ['query', field]);
      assert.deepEqual(checkPublishedResponse('entitlements.list', res.status, res.body), [
        'entitlements.list answered 400, which the published document does not list',
      ]);
    }
  });
});
