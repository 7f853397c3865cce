import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { JobRunnerStoppingError, PermanentJobError } from './errors.ts';
import { z } from 'zod';
import { enqueue, jobStatus } from './queue.ts';
import { eventually } from '../testing/eventually.ts';
import { defineJob, defineJobKind, jobHandlers } from './registry.ts';
import { openJobsFixture, untilAborted, waitForJob, type JobsFixture } from './test-fixtures.ts';

const many = defineJobKind('test.many', z.object({ n: z.number() }));

describe('running jobs', () => {
  let f: JobsFixture;
  before(async () => {
    f = await openJobsFixture();
  });
  after(() => f.close());

  test('many jobs across four runners are each run exactly once', async () => {
    const runsOf = new Map<string, string[]>(); // job id → runners that ran it
    const runners = [];
    for (let i = 0; i < 4; i++) {
      const on = await f.connect(); // its own pool on Postgres, like another process
      const runner = f.runner({
        on,
        concurrency: 3,
        handlers: jobHandlers([
          defineJob(many, {
            async run(job) {
              runsOf.set(job.id, [...(runsOf.get(job.id) ?? []), runner.workerId]);
              // Deliberate: the work takes a random while, so runners interleave.
              await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
              return { n: job.payload.n };
            },
          }),
        ]),
      });
      runners.push(runner);
    }
    const ids = await Promise.all(
      Array.from({ length: 150 }, (_, n) =>
        many.enqueue(f.db, { n }, { workspaceId: f.workspaceId }).then((j) => j.id),
      ),
    );
    await eventually(
      async () =>
        Number(
          (
            await f.db
              .selectFrom('jobs')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('kind', '=', 'test.many')
              .where('state', '=', 'succeeded')
              .executeTakeFirstOrThrow()
          ).n,
        ) === ids.length,
      { timeoutMs: 30_000, intervalMs: 10, message: 'all jobs to succeed' },
    );
    for (const id of ids)
      assert.equal(runsOf.get(id)?.length, 1, `job ${id} ran ${runsOf.get(id)?.length} times`);
    assert.equal(runsOf.size, ids.length);
    const rows = await f.db.selectFrom('jobs').selectAll().where('kind', '=', 'test.many').execute();
    for (const row of rows) {
      assert.equal(row.attempts, 1);
      assert.deepEqual(row.result, row.payload);
      assert.ok(row.finished_at instanceof Date);
    }
    const busy = new Set([...runsOf.values()].flat());
    assert.ok(busy.size >= 2, `only ${[...busy].join()} ran jobs`);
  });

  test('a failing job is retried with exponential backoff until it succeeds', async () => {
    const calls: number[] = [];
    f.runner({
      retryDelayMs: (attempts) => 100 * 2 ** (attempts - 1),
      handlers: {
        'test.flaky': {
          async run(job) {
            calls.push(Date.now());
            if (job.attempts < 3) throw new Error(`flake ${job.attempts}`);
            return 'third time lucky';
          },
        },
      },
    });
    const job = await enqueue(f.db, { workspaceId: f.workspaceId, kind: 'test.flaky', payload: {} });
    const done = await waitForJob(f.db, job.id, ['succeeded', 'failed']);
    assert.equal(done.state, 'succeeded');
    assert.equal(done.attempts, 3);
    assert.equal(done.result, 'third time lucky');
    assert.equal(done.last_error, 'flake 2');
    assert.equal(calls.length, 3);
    assert.ok(calls[1]! - calls[0]! >= 95, `first retry after ${calls[1]! - calls[0]!} ms`);
    assert.ok(calls[2]! - calls[1]! >= 195, `second retry after ${calls[2]! - calls[1]!} ms`);
  });

  test('a retried job waits in the queue with its error and next run time', async () => {
    f.runner({
      retryDelayMs: () => 60_000,
      handlers: { 'test.later': { run: async () => Promise.reject(new Error('not yet')) } },
    });
    const job = await enqueue(f.db, { workspaceId: f.workspaceId, kind: 'test.later', payload: {} });
    const waiting = await eventually(
      async () => {
        const row = await jobStatus(f.db, job.id);
        assert.ok(row?.state === 'queued' && row.attempts === 1, `the job is ${row?.state}`);
        return row;
      },
      { intervalMs: 10, message: 'the retry to be scheduled' },
    );
    assert.equal(waiting.last_error, 'not yet');
    const delay = waiting.run_after.getTime() - waiting.updated_at.getTime();
    assert.ok(delay > 59_000 && delay <= 60_001, `run_after is ${delay} ms after the failure`);
  });

  test('a PermanentJobError fails the job at once', async () => {
    let calls = 0;
    f.runner({
      handlers: {
        'test.permanent': {
          async run() {
            calls++;
            throw new PermanentJobError('the install was deleted');
          },
        },
      },
    });
    const job = await enqueue(f.db, { workspaceId: f.workspaceId, kind: 'test.permanent', payload: {} });
    const done = await waitForJob(f.db, job.id, ['failed', 'succeeded']);
    assert.equal(done.state, 'failed');
    assert.equal(done.attempts, 1);
    assert.equal(done.last_error, 'the install was deleted');
    assert.ok(done.finished_at instanceof Date);
    assert.equal(calls, 1);
  });

  test('a job that fails every attempt ends failed after max_attempts', async () => {
    let calls = 0;
    f.runner({
      handlers: {
        'test.doomed': {
          async run(job) {
            calls++;
            throw new Error(`boom ${job.attempts}`);
          },
        },
      },
    });
    const job = await enqueue(f.db, {
      workspaceId: f.workspaceId,
      kind: 'test.doomed',
      payload: {},
      maxAttempts: 2,
    });
    const done = await waitForJob(f.db, job.id, ['failed', 'succeeded']);
    assert.equal(done.state, 'failed');
    assert.equal(done.attempts, 2);
    assert.equal(done.last_error, 'boom 2');
    assert.equal(calls, 2);
  });

  test('a result that is not JSON fails the job', async () => {
    f.runner({ handlers: { 'test.bigint': { run: async () => ({ n: 1n }) } } });
    const job = await enqueue(f.db, { workspaceId: f.workspaceId, kind: 'test.bigint', payload: {} });
    const done = await waitForJob(f.db, job.id, ['failed', 'succeeded']);
    assert.equal(done.state, 'failed');
    assert.match(done.last_error ?? '', /not JSON/);
  });

  test('a job not yet due is not claimed before its run_after', async () => {
    const ranAt: number[] = [];
    f.runner({ handlers: { 'test.due': { run: async () => void ranAt.push(Date.now()) } } });
    const due = Date.now() + 400;
    const job = await enqueue(f.db, {
      workspaceId: f.workspaceId,
      kind: 'test.due',
      payload: {},
      runAfter: new Date(due),
    });
    await waitForJob(f.db, job.id, ['succeeded']);
    assert.ok(ranAt[0]! >= due - 5, `ran ${due - ranAt[0]!} ms early`);
  });

  test('stop waits for running jobs to finish', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const runner = f.runner({ handlers: { 'test.graceful': { run: () => gate.then(() => 'finished') } } });
    const job = await enqueue(f.db, { workspaceId: f.workspaceId, kind: 'test.graceful', payload: {} });
    await waitForJob(f.db, job.id, ['running']);
    const stopped = runner.stop();
    setTimeout(release, 100);
    await stopped;
    const done = await jobStatus(f.db, job.id);
    assert.equal(done?.state, 'succeeded');
    assert.equal(done?.result, 'finished');
  });

  test('stop aborts jobs still running after the grace period; they go back to the queue', async () => {
    let reason: unknown;
    const runner = f.runner({
      stopGraceMs: 100,
      handlers: {
        'test.slow': {
          async run(_job, { signal }) {
            await untilAborted(signal).catch((error) => {
              reason = error;
              throw error;
            });
          },
        },
      },
    });
    const job = await enqueue(f.db, { workspaceId: f.workspaceId, kind: 'test.slow', payload: {} });
    await waitForJob(f.db, job.id, ['running']);
    await runner.stop();
    assert.ok(reason instanceof JobRunnerStoppingError);
    const back = await jobStatus(f.db, job.id);
    assert.equal(back?.state, 'queued');
    assert.equal(back?.attempts, 0, 'stopping the worker does not use up an attempt');
    f.runner({ handlers: { 'test.slow': { run: async () => 'run elsewhere' } } });
    const done = await waitForJob(f.db, job.id, ['succeeded']);
    assert.equal(done.attempts, 1);
  });
});
