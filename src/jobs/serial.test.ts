import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { cancel, enqueue, jobStatus } from './queue.ts';
import type { JobHandler } from './runner.ts';
import type { JobRow } from './tables.ts';
import { eventually } from '../testing/eventually.ts';
import { openJobsFixture, waitForJob, type JobsFixture } from './test-fixtures.ts';

type Span = { key: string; seq: number; start: number; end: number };

/** A handler that records when each job ran (performance.now(), one clock for all runners here). */
const Flaky = z.object({ flaky: z.boolean() });

function recorder(spans: Span[], work: (job: JobRow) => Promise<void>): JobHandler {
  return {
    async run(job) {
      const start = performance.now();
      await work(job);
      spans.push({ key: job.serial_key ?? '', seq: job.seq, start, end: performance.now() });
    },
  };
}

async function allDone(f: JobsFixture, kind: string, count: number): Promise<void> {
  await eventually(
    async () =>
      (
        await f.db
          .selectFrom('jobs')
          .select('id')
          .where('kind', '=', kind)
          .where('state', '=', 'succeeded')
          .execute()
      ).length === count,
    { timeoutMs: 30_000, intervalMs: 10, message: `${count} ${kind} jobs to succeed` },
  );
}

describe('serial keys', () => {
  let f: JobsFixture;
  before(async () => {
    f = await openJobsFixture();
  });
  after(() => f.close());

  test('jobs of one key never overlap and run in enqueue order, while different keys run in parallel', async () => {
    const spans: Span[] = [];
    for (let i = 0; i < 3; i++) {
      f.runner({
        on: await f.connect(),
        concurrency: 3,
        // Deliberate: each job's work takes a while, so an overlap would show in the spans.
        handlers: { 'test.serial': recorder(spans, () => sleep(25)) },
      });
    }
    const keys = ['install:a', 'install:b', 'install:c', 'install:d'];
    for (let n = 0; n < 5; n++)
      for (const key of keys)
        await enqueue(f.db, {
          workspaceId: f.workspaceId,
          kind: 'test.serial',
          payload: { n },
          serialKey: key,
        });
    await allDone(f, 'test.serial', 20);

    for (const key of keys) {
      const ofKey = spans.filter((s) => s.key === key).sort((a, b) => a.start - b.start);
      assert.equal(ofKey.length, 5);
      assert.deepEqual(
        ofKey.map((s) => s.seq),
        ofKey.map((s) => s.seq).sort((a, b) => a - b),
        `${key} ran out of enqueue order`,
      );
      for (let i = 1; i < ofKey.length; i++)
        assert.ok(ofKey[i]!.start >= ofKey[i - 1]!.end, `two jobs of ${key} overlapped`);
    }
    const overlapping = spans.some((a) =>
      spans.some((b) => a.key !== b.key && a.start < b.end && b.start < a.end),
    );
    assert.ok(overlapping, 'jobs of different keys never ran at the same time');
  });

  test('jobs of one key committed out of enqueue order never overlap', async (t) => {
    // Needs two transactions open at once: PGlite has one connection, so this race exists only on Postgres.
    if (!f.postgres) return t.skip('needs Postgres (DATABASE_URL)');
    // The older job of each key commits just after the newer one, while runners may be claiming the
    // newer one: in their snapshots both can look free, and only the key lock keeps them apart.
    const active = new Map<string, number>();
    const overlaps: string[] = [];
    for (let i = 0; i < 4; i++) {
      f.runner({
        on: await f.connect(),
        concurrency: 8,
        pollMs: 5,
        handlers: {
          'test.race': {
            async run(job) {
              const key = job.serial_key!;
              const now = (active.get(key) ?? 0) + 1;
              active.set(key, now);
              if (now > 1) overlaps.push(key);
              await sleep(20); // deliberate: the job is active long enough for an overlap to show
              active.set(key, active.get(key)! - 1);
            },
          },
        },
      });
    }
    const rounds = 40;
    const enqueueIn = (trx: Parameters<typeof enqueue>[0], key: string) =>
      enqueue(trx, { workspaceId: f.workspaceId, kind: 'test.race', payload: {}, serialKey: key });
    // Two rounds at a time: each holds one connection of the pool in its older transaction while it needs a
    // second for the newer one, so all 40 at once would exhaust the pool and wait on each other forever.
    const race = async (round: number) => {
      const key = `race-${round}`;
      let olderEnqueued!: () => void;
      const ready = new Promise<void>((resolve) => (olderEnqueued = resolve));
      let newerCommitted!: () => void;
      const committed = new Promise<void>((resolve) => (newerCommitted = resolve));
      const older = f.db.transaction().execute(async (trx) => {
        await enqueueIn(trx, key);
        olderEnqueued();
        await committed;
        await sleep(Math.random() * 4); // deliberate: the commits race in a random order
      });
      await ready;
      await f.db.transaction().execute((trx) => enqueueIn(trx, key));
      newerCommitted();
      await older;
    };
    for (let round = 0; round < rounds; round += 2) await Promise.all([race(round), race(round + 1)]);
    await allDone(f, 'test.race', rounds * 2);
    assert.deepEqual(overlaps, [], 'jobs of one key ran at once');
  });

  test('a job being retried holds back the later jobs of its key', async () => {
    const spans: Span[] = [];
    f.runner({
      concurrency: 4,
      retryDelayMs: () => 150,
      handlers: {
        'test.retry-serial': recorder(spans, async (job) => {
          if (Flaky.parse(job.payload).flaky && job.attempts === 1) throw new Error('once');
        }),
      },
    });
    const first = await enqueue(f.db, {
      workspaceId: f.workspaceId,
      kind: 'test.retry-serial',
      payload: { flaky: true },
      serialKey: 'retry',
    });
    const second = await enqueue(f.db, {
      workspaceId: f.workspaceId,
      kind: 'test.retry-serial',
      payload: { flaky: false },
      serialKey: 'retry',
    });
    await waitForJob(f.db, second.id, ['succeeded']);
    assert.equal((await jobStatus(f.db, first.id))?.attempts, 2);
    assert.deepEqual(
      spans.map((s) => s.seq),
      [first.seq, second.seq],
    );
  });

  test('a queued job of any kind holds back its key until it is cancelled', async () => {
    const ran: string[] = [];
    f.runner({ handlers: { 'test.after': { run: async (job) => void ran.push(job.id) } } });
    // No runner handles this kind: it stays queued.
    const blocker = await enqueue(f.db, {
      workspaceId: f.workspaceId,
      kind: 'test.unhandled',
      payload: {},
      serialKey: 'blocked',
    });
    const waiting = await enqueue(f.db, {
      workspaceId: f.workspaceId,
      kind: 'test.after',
      payload: {},
      serialKey: 'blocked',
    });
    const free = await enqueue(f.db, {
      workspaceId: f.workspaceId,
      kind: 'test.after',
      payload: {},
      serialKey: 'free',
    });
    await waitForJob(f.db, free.id, ['succeeded']);
    await sleep(200); // deliberate window: the blocked job must not start while its key is held
    assert.equal((await jobStatus(f.db, waiting.id))?.state, 'queued');
    assert.equal(await cancel(f.db, blocker.id), 'cancelled');
    await waitForJob(f.db, waiting.id, ['succeeded'], 2000);
    assert.deepEqual(ran, [free.id, waiting.id]);
  });
});
