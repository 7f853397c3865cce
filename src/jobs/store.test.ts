import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { enqueue, jobStatus } from './queue.ts';
import { claimJobs, expireRunningLeases, removeJobPayloadKey } from './store.ts';
import { openJobsFixture, type JobsFixture } from './test-fixtures.ts';

describe('the jobs store', () => {
  let f: JobsFixture;
  before(async () => {
    f = await openJobsFixture();
  });
  after(() => f.close());

  test('removing a payload key drops that key only, and a missing key is no error', async () => {
    const job = await enqueue(f.db, {
      workspaceId: f.workspaceId,
      kind: 'test.store-payload',
      payload: { run_id: 'r1', envs: { v: 1, data: 'x' } },
    });
    await removeJobPayloadKey(f.db, job.id, 'envs');
    assert.deepEqual((await jobStatus(f.db, job.id))?.payload, { run_id: 'r1' });
    await removeJobPayloadKey(f.db, job.id, 'envs');
    assert.deepEqual((await jobStatus(f.db, job.id))?.payload, { run_id: 'r1' });
  });

  test('expiring running leases ends every running lease now and leaves queued jobs alone', async () => {
    const running = await enqueue(f.db, {
      workspaceId: f.workspaceId,
      kind: 'test.store-lease',
      payload: {},
    });
    const [claimed] = await claimJobs(f.db, {
      owner: 'gone',
      kinds: ['test.store-lease'],
      limit: 1,
      leaseMs: 60_000,
    });
    assert.equal(claimed?.id, running.id);
    const queued = await enqueue(f.db, { workspaceId: f.workspaceId, kind: 'test.store-lease', payload: {} });
    await expireRunningLeases(f.db);
    const { rows } = await sql<{ expired: boolean }>`
      SELECT lease_until <= now() AS expired FROM jobs WHERE id = ${running.id}`.execute(f.db);
    assert.equal(rows[0]?.expired, true);
    const after = await jobStatus(f.db, queued.id);
    assert.equal(after?.state, 'queued');
    assert.equal(after?.lease_until, null);
  });
});
