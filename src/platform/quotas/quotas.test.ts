import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { deployAgent, startRun, waitForRun } from '../../deployments/test-fixtures.ts';
import { startHarness, type Harness } from '../../testing/harness.ts';
import { assertPublished, checkPublishedResponse } from '../../testing/published-api.ts';

const published = assertPublished;

const METRICS = ['agent_deployments/sandboxes', 'snippets/executions', 'snippets/nested_executions'];

/**
 * A snippet that reads one quota through platform.request() while it runs (from the list: the policy
 * of platform.request() refuses encoded slashes in paths, so quotas.get is out of a snippet's reach).
 */
const readQuota = (metric: string) => `async () => {
  const r = await platform.request({ method: 'GET', path: '/v1/quotas' });
  return r.body.data.find((q) => q.metric === '${metric}');
}`;

describe('quotas', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({
      ATOLL_SANDBOX_CAPACITY: '3',
      ATOLL_EXECUTOR_WORKSPACE_CONCURRENCY: '5',
      ATOLL_SNIPPET_WORKSPACE_NESTED: '7',
    });
  });
  after(() => h.close());

  const list = async (query = '') => published('quotas.list', await h.request('GET', `/v1/quotas${query}`));
  const get = async (metric: string) =>
    published('quotas.get', await h.request('GET', `/v1/quotas/${encodeURIComponent(metric)}`));

  test('the list has every metric with its configured limit, nothing in use while idle', async () => {
    const res = await list();
    assert.equal(res.status, 200);
    assert.equal(res.body.has_more, false);
    assert.equal(res.body.next_cursor, null);
    assert.deepEqual(
      res.body.data.map((q: any) => [q.metric, q.type, q.unit, q.limit, q.usage, q.remaining]),
      [
        ['agent_deployments/sandboxes', 'concurrency', 'count', 3, 0, 3],
        ['snippets/executions', 'concurrency', 'count', 5, 0, 5],
        ['snippets/nested_executions', 'concurrency', 'count', 7, 0, 7],
      ],
    );
    for (const q of res.body.data) assert.ok(q.display_name.length > 0);
  });

  test('each metric is served by quotas.get, URL-encoded as the spec says', async () => {
    const all = (await list()).body.data;
    for (const metric of METRICS) {
      const res = await get(metric);
      assert.equal(res.status, 200);
      assert.deepEqual(
        res.body,
        all.find((q: any) => q.metric === metric),
      );
    }
  });

  test('an unknown metric is 404 naming it and the metrics there are', async () => {
    for (const metric of ['compute/machines', 'snippets', 'x'.repeat(500)]) {
      const res = await get(metric);
      assert.equal(res.status, 404);
      assert.deepEqual(res.body.errors[0].path, ['path', 'metric']);
      assert.ok(res.body.errors[0].message.includes(`"${metric.slice(0, 200)}" not found`));
      assert.ok(res.body.errors[0].message.includes('"snippets/executions"'));
    }
    // Unencoded, the slash splits the path: no such route, also a published 404.
    const raw = published('quotas.get', await h.request('GET', '/v1/quotas/snippets/executions'));
    assert.equal(raw.status, 404);
  });

  test('cluster_id is refused with 403 saying Atoll has no clusters', async () => {
    for (const cluster of ['local', 'cl_j572abc123def456', '']) {
      const res = await list(`?cluster_id=${cluster}`);
      assert.equal(res.status, 403);
      assert.deepEqual(res.body.errors[0].path, ['query', 'cluster_id']);
      assert.equal(res.body.errors[0].metadata.reason, 'no_clusters');
      assert.match(res.body.errors[0].message, /Atoll has no clusters/);
    }
  });

  test('without a credential 401; naming another workspace in akua-context 403', async () => {
    assert.equal(published('quotas.list', await h.request('GET', '/v1/quotas', { token: null })).status, 401);
    const metric = encodeURIComponent('snippets/executions');
    assert.equal(
      published('quotas.get', await h.request('GET', `/v1/quotas/${metric}`, { token: null })).status,
      401,
    );
    const other = await h.newWorkspace('quotas-403');
    const res = await h.request('GET', '/v1/quotas', { headers: { 'akua-context': other.id } });
    assert.equal(published('quotas.list', res).status, 403);
  });

  test('a running snippet counts as an execution of its workspace, and a nested one as nested too', async () => {
    const own = await h.request('POST', '/v1/snippets:execute', {
      body: { code: readQuota('snippets/executions') },
    });
    assert.equal(own.status, 200, own.text);
    assert.deepEqual(checkPublishedResponse('quotas.get', 200, own.body.result), []);
    assert.equal(own.body.result.usage, 1, 'the snippet itself is running');
    assert.equal(own.body.result.remaining, 4);

    const nestedCode = readQuota('snippets/nested_executions');
    const outer = await h.request('POST', '/v1/snippets:execute', {
      body: {
        code: `async (inputs) => {
          const r = await platform.request({ method: 'POST', path: '/v1/snippets:execute', body: { code: inputs.code } });
          return r.body.result;
        }`,
        inputs: { code: nestedCode },
      },
    });
    assert.equal(outer.status, 200, outer.text);
    assert.equal(outer.body.result.usage, 1, 'the nested snippet is in flight');
    assert.equal(outer.body.result.remaining, 6);

    // Another workspace's executions are not this one's.
    const other = await h.newWorkspace('quotas-usage');
    const idle = await h.request('GET', `/v1/quotas/${encodeURIComponent('snippets/executions')}`, {
      token: other.token,
    });
    assert.equal(published('quotas.get', idle).body.usage, 0);
    assert.equal((await get('snippets/executions')).body.usage, 0, 'done: nothing running');
  });

  test('a running agent takes a sandbox slot until it is cancelled', async () => {
    const agent = await deployAgent(h, {
      files: { 'main.js': 'setTimeout(() => {}, 60_000);' },
      config: { entrypoint: 'node main.js' },
    });
    const runId = await startRun(h, agent.deploymentId);
    await waitForRun(h, agent.deploymentId, runId, (run) => run.status === 'running');
    const busy = await get('agent_deployments/sandboxes');
    assert.equal(busy.body.usage, 1);
    assert.equal(busy.body.remaining, 2);
    const cancel = await h.request(
      'POST',
      `/v1/agent-deployments/${agent.deploymentId}/runs/${runId}/cancel`,
    );
    assert.equal(cancel.status, 200, cancel.text);
    await waitForRun(h, agent.deploymentId, runId);
    const free = await get('agent_deployments/sandboxes');
    assert.equal(free.body.usage, 0);
    assert.equal(free.body.remaining, 3);
  });
});
