import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { newId } from '../db/ids.ts';
import { InvalidJobError, JobCancelledError } from './errors.ts';
import { cancel, enqueue, jobStatus } from './queue.ts';
import type { JobRow } from './tables.ts';
import { eventually } from '../testing/eventually.ts';
import { openJobsFixture, untilAborted, waitForJob, type JobsFixture } from './test-fixtures.ts';

describe('enqueueing, cancelling and reading jobs', () => {
  let f: JobsFixture;
  before(async () => {
    f = await openJobsFixture();
  });
  after(() => f.close());

  test('an enqueued job is queued with its payload, key and defaults', async () => {
    const job = await enqueue(f.db, {
      workspaceId: f.workspaceId,
      kind: 'test.echo',
      payload: { a: [1, 'two', null] },
      serialKey: 'install:1',
    });
    assert.match(job.id, /^job_[a-z2-7]{26}$/);
    assert.equal(job.state, 'queued');
    assert.equal(job.attempts, 0);
    assert.equal(job.max_attempts, 3);
    assert.equal(job.serial_key, 'install:1');
    assert.deepEqual(job.payload, { a: [1, 'two', null] });
    assert.ok(job.run_after instanceof Date);
    assert.equal(job.cancel_requested, false);
    assert.deepEqual(await jobStatus(f.db, job.id), job);
  });

  test('enqueue refuses what cannot be stored, with InvalidJobError', async () => {
    const base = { workspaceId: f.workspaceId, kind: 'test.echo', payload: {} };
    await assert.rejects(enqueue(f.db, { ...base, kind: 'Bad Kind' }), InvalidJobError);
    await assert.rejects(enqueue(f.db, { ...base, payload: undefined }), InvalidJobError);
    await assert.rejects(enqueue(f.db, { ...base, payload: { n: 1n } }), InvalidJobError);
    await assert.rejects(enqueue(f.db, { ...base, serialKey: '' }), InvalidJobError);
    await assert.rejects(enqueue(f.db, { ...base, maxAttempts: 0 }), InvalidJobError);
    await assert.rejects(enqueue(f.db, { ...base, runAfter: new Date('nope') }), InvalidJobError);
  });

  test('a job enqueued in a rolled-back transaction leaves no job and never runs', async () => {
    const ran: string[] = [];
    f.runner({ handlers: { 'test.rollback': { run: async (job) => void ran.push(job.id) } } });
    let id = '';
    await assert.rejects(
      f.db.transaction().execute(async (trx) => {
        id = (await enqueue(trx, { workspaceId: f.workspaceId, kind: 'test.rollback', payload: {} })).id;
        throw new Error('the caller changed its mind');
      }),
      /changed its mind/,
    );
    // A job enqueued after it runs, so the runner has looked at the queue since the rollback.
    const later = await enqueue(f.db, { workspaceId: f.workspaceId, kind: 'test.rollback', payload: {} });
    await waitForJob(f.db, later.id, ['succeeded']);
    assert.equal(await jobStatus(f.db, id), undefined);
    assert.deepEqual(ran, [later.id]);
  });

  test('a job enqueued in a transaction commits with the caller’s writes and runs promptly after commit', async () => {
    const ran: string[] = [];
    // The poll is an hour: only the wake-up (NOTIFY at commit on Postgres; the claim waiting for the
    // transaction on PGlite) can start the job this soon.
    f.runner({
      pollMs: 3_600_000,
      handlers: { 'test.atomic': { run: async (job) => void ran.push(job.id) } },
    });
    await sleep(100); // the runner's first look at the queue is over
    const wsId = newId('ws');
    const jobId = await f.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('workspaces')
        .values({ id: wsId, name: 'atomic', slug: `atomic-${wsId.slice(-6)}`, created_by: 'test' })
        .execute();
      const job = await enqueue(trx, { workspaceId: wsId, kind: 'test.atomic', payload: {} });
      await sleep(150); // the in-process wake-up has come and gone before the commit
      return job.id;
    });
    const done = await waitForJob(f.db, jobId, ['succeeded'], 3000);
    assert.equal(done.workspace_id, wsId);
    assert.deepEqual(ran, [jobId]);
  });

  test('cancelling a queued job cancels it at once and it never runs', async () => {
    const job = await enqueue(f.db, {
      workspaceId: f.workspaceId,
      kind: 'test.never',
      payload: {},
      runAfter: new Date(Date.now() + 60_000),
    });
    assert.equal(await cancel(f.db, job.id), 'cancelled');
    const ran: string[] = [];
    f.runner({ handlers: { 'test.never': { run: async (j) => void ran.push(j.id) } } });
    const row = await jobStatus(f.db, job.id);
    assert.equal(row?.state, 'cancelled');
    assert.ok(row?.finished_at instanceof Date);
    assert.equal(await cancel(f.db, job.id), 'finished');
    await sleep(200); // deliberate window: a cancelled job must not run within it
    assert.deepEqual(ran, []);
  });

  test('cancelling a running job aborts its handler’s signal and the job ends cancelled', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    let reason: unknown;
    f.runner({
      // Leases renew every 3 s: the cancel must arrive through the wake-up, not the renewal.
      leaseMs: 9000,
      handlers: {
        'test.cancel': {
          async run(_job, { signal }) {
            started();
            try {
              await untilAborted(signal);
            } catch (error) {
              reason = error;
              throw error;
            }
          },
        },
      },
    });
    const job = await enqueue(f.db, { workspaceId: f.workspaceId, kind: 'test.cancel', payload: {} });
    await running;
    const asked = Date.now();
    assert.equal(await cancel(f.db, job.id), 'requested');
    const done = await waitForJob(f.db, job.id, ['cancelled', 'failed', 'succeeded'], 2500);
    assert.ok(Date.now() - asked < 2500);
    assert.equal(done.state, 'cancelled');
    assert.equal(done.cancel_requested, true);
    assert.ok(reason instanceof JobCancelledError);
    assert.equal(await cancel(f.db, job.id), 'finished');
  });

  test('a running job that completes despite a cancel request succeeds', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let aborted = false;
    f.runner({
      handlers: {
        'test.stubborn': {
          async run(_job, { signal }) {
            signal.addEventListener('abort', () => (aborted = true));
            await gate;
            return { done: true };
          },
        },
      },
    });
    const job = await enqueue(f.db, { workspaceId: f.workspaceId, kind: 'test.stubborn', payload: {} });
    await waitForJob(f.db, job.id, ['running']);
    assert.equal(await cancel(f.db, job.id), 'requested');
    await eventually(() => aborted, { message: 'the abort' });
    release();
    const done: JobRow = await waitForJob(f.db, job.id, ['succeeded', 'cancelled']);
    assert.equal(done.state, 'succeeded');
    assert.deepEqual(done.result, { done: true });
  });

  test('an unknown job is not found', async () => {
    assert.equal(await cancel(f.db, 'job_nope'), 'not_found');
    assert.equal(await jobStatus(f.db, 'job_nope'), undefined);
  });
});
