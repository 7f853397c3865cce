import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { InvalidJobError } from './errors.ts';
import { enqueue, jobStatus } from './queue.ts';
import { defineJob, defineJobKind, enqueueJob, jobHandlers } from './registry.ts';
import { openJobsFixture, waitForJob, type JobsFixture } from './test-fixtures.ts';

const greet = defineJobKind('test.greet', z.object({ name: z.string(), times: z.number().int().optional() }));

describe('typed job kinds', () => {
  let f: JobsFixture;
  before(async () => {
    f = await openJobsFixture();
  });
  after(() => f.close());

  test('a payload that fits its kind is enqueued as given', async () => {
    const job = await greet.enqueue(f.db, { name: 'ada' }, { workspaceId: f.workspaceId, maxAttempts: 2 });
    assert.equal(job.kind, 'test.greet');
    assert.equal(job.max_attempts, 2);
    assert.deepEqual(job.payload, { name: 'ada' });
    const again = await enqueueJob(f.db, greet, { name: 'bob', times: 2 }, { workspaceId: f.workspaceId });
    assert.deepEqual((await jobStatus(f.db, again.id))?.payload, { name: 'bob', times: 2 });
  });

  test('a payload that does not fit is refused at enqueue, naming the field, and nothing is stored', async () => {
    const before = await f.db.selectFrom('jobs').select('id').where('kind', '=', 'test.greet').execute();
    await assert.rejects(
      // @ts-expect-error: the type of the kind's payload refuses it too
      greet.enqueue(f.db, { name: 42 }, { workspaceId: f.workspaceId }),
      (error: unknown) =>
        error instanceof InvalidJobError &&
        /invalid payload for a test\.greet job: name: /.test(error.message),
    );
    await assert.rejects(
      enqueueJob(f.db, greet, { times: 1.5, name: 'x' }, { workspaceId: f.workspaceId }),
      /times: /,
    );
    const after = await f.db.selectFrom('jobs').select('id').where('kind', '=', 'test.greet').execute();
    assert.equal(after.length, before.length);
  });

  test('a handler gets the payload parsed; a bad one at claim fails its job for good and the runner goes on', async () => {
    const kind = defineJobKind('test.typed', z.object({ n: z.number() }));
    const seen: number[] = [];
    f.runner({
      handlers: jobHandlers([
        defineJob(kind, {
          async run(job) {
            seen.push(job.payload.n);
            return { doubled: job.payload.n * 2 };
          },
        }),
      ]),
    });
    // Written around the kind, as an older build or a hand-made row could have.
    const bad = await enqueue(f.db, {
      workspaceId: f.workspaceId,
      kind: 'test.typed',
      payload: { n: 'seven' },
    });
    const good = await kind.enqueue(f.db, { n: 7 }, { workspaceId: f.workspaceId });
    const failed = await waitForJob(f.db, bad.id, ['failed', 'succeeded']);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.attempts, 1, 'not retried');
    assert.match(failed.last_error ?? '', /^invalid payload for a test\.typed job: n: /);
    const done = await waitForJob(f.db, good.id, ['succeeded', 'failed']);
    assert.equal(done.state, 'succeeded');
    assert.deepEqual(done.result, { doubled: 14 });
    assert.deepEqual(seen, [7]);
  });

  test('a lost job whose payload does not fit is failed, not retried', async () => {
    const kind = defineJobKind('test.lost', z.object({ id: z.string() }));
    const asked: string[] = [];
    const { handler } = defineJob(kind, {
      run: async () => ({}),
      lost: async (job) => {
        asked.push(job.payload.id);
        return 'retry';
      },
    });
    const row = await enqueue(f.db, { workspaceId: f.workspaceId, kind: 'test.lost', payload: {} });
    assert.equal(await handler.lost!(row), 'fail');
    assert.equal(await handler.lost!({ ...row, payload: { id: 'x' } }), 'retry');
    assert.deepEqual(asked, ['x']);
  });

  test('a kind cannot have two handlers in one runner', () => {
    const handler = { run: async () => ({}) };
    assert.throws(() => jobHandlers([defineJob(greet, handler), defineJob(greet, handler)]), /two handlers/);
  });
});
