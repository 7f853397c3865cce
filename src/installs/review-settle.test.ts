import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../testing/eventually.ts';
import { startHarness, type Harness } from '../testing/harness.ts';
import { publish, waitOperation } from './test-fixtures.ts';

/** Pins how a render waiting for review ends when it is cancelled or its change request is rejected. */
describe('a render waiting for review', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ ATOLL_JOB_POLL_MS: '50' });
  });
  after(() => h.close());

  /** An install under review whose first render waits for its READY change request. */
  async function waitingForReview(name: string) {
    const { packageId } = await publish(h, { name });
    const created = await h.request('POST', '/v1/installs', {
      body: {
        package_id: packageId,
        package_version_pin: { kind: 'latest' },
        region_id: 'local',
        require_review: true,
      },
    });
    assert.equal(created.status, 202, created.text);
    const installId = created.body.owner_id;
    const renderId = (await h.request('GET', `/v1/installs/${installId}/renders`)).body.data[0].id;
    const rcr = await eventually(
      async () => {
        const list = (await h.request('GET', '/v1/repository_change_requests?state=READY')).body.data;
        const rcr = list.find((r: { render_id: string }) => r.render_id === renderId);
        assert.ok(rcr, `no change request for render ${renderId}`);
        return rcr;
      },
      { intervalMs: 25, message: `the change request of render ${renderId}` },
    );
    return { operationId: created.body.id as string, installId, renderId, rcr };
  }

  const stepsOf = (op: { steps: Array<{ name: string; status: string; error_message: string | null }> }) =>
    op.steps.map((s) => `${s.name}:${s.status}${s.error_message ? `:${s.error_message}` : ''}`);

  test('cancelling its operation fails the render as cancelled, withdraws the request and removes its fork', async () => {
    const { operationId, installId, renderId, rcr } = await waitingForReview('cancel-under-review');
    const cancelled = await h.request('POST', `/v1/operations/${operationId}:cancel`);
    assert.equal(cancelled.status, 202, cancelled.text);
    const op = await waitOperation(h, operationId);
    assert.equal(op.state, 'CANCELLED');
    assert.deepEqual(op.error, { message: 'the render was cancelled' });
    assert.equal(op.response, null);
    assert.deepEqual(stepsOf(op), ['render:completed', 'review:running', 'commit:pending']);
    const rendered = (await h.request('GET', `/v1/installs/${installId}/renders/${renderId}`)).body;
    assert.equal(rendered.state, 'failed');
    assert.deepEqual(rendered.failure, { code: 'cancelled', message: 'the render was cancelled' });
    assert.equal((await h.request('GET', `/v1/installs/${installId}`)).body.state, 'pending');
    const request = (await h.request('GET', `/v1/repository_change_requests/${rcr.id}`)).body;
    assert.equal(request.state, 'WITHDRAWN');
    assert.equal((await h.request('GET', `/v1/repositories/${rcr.fork_repository_id}`)).status, 404);
  });

  test('rejecting its change request fails the render and its operation with the reason; the install failed', async () => {
    const { operationId, installId, renderId, rcr } = await waitingForReview('reject-under-review');
    const rejected = await h.request('POST', `/v1/repository_change_requests/${rcr.id}:reject`, {
      body: { rejection_reason: 'not now' },
      headers: { 'if-match': rcr.etag, 'idempotency-key': 'reject-under-review' },
    });
    assert.equal(rejected.status, 200, rejected.text);
    const message = `the change request ${rcr.id} was rejected: not now`;
    const op = await waitOperation(h, operationId);
    assert.equal(op.state, 'FAILED');
    assert.deepEqual(op.error, { message });
    assert.deepEqual(op.last_error, { message, step_name: 'commit' });
    assert.deepEqual(stepsOf(op), ['render:completed', 'review:running', `commit:failed:${message}`]);
    const rendered = (await h.request('GET', `/v1/installs/${installId}/renders/${renderId}`)).body;
    assert.equal(rendered.state, 'failed');
    assert.deepEqual(rendered.failure, { code: 'change_request_rejected', message });
    assert.equal((await h.request('GET', `/v1/installs/${installId}`)).body.state, 'failed');
    assert.equal((await h.request('GET', `/v1/repository_change_requests/${rcr.id}`)).body.state, 'REJECTED');
  });
});
