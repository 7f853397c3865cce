import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { defineModule, jobsFor, periodicTask, startPeriodic, type PeriodicTask } from './module.ts';
import { defineJob, defineJobKind } from './jobs/registry.ts';
import { z } from 'zod';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A pino logger whose records are kept, to see what a failing task logs. */
function recordingLog() {
  const records: Array<{ level: number; msg: string }> = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void records.push(JSON.parse(line)) });
  return { log, records };
}

describe('the module contract', () => {
  test('periodic tasks run every interval, a failure is logged and the task runs again, and stop ends them', async () => {
    const { log, records } = recordingLog();
    let ok = 0;
    let failing = 0;
    const tasks: PeriodicTask[] = [
      { name: 'counting', everyMs: 20, run: async () => void ok++ },
      {
        name: 'failing',
        everyMs: 20,
        run: async () => {
          failing++;
          throw new Error('boom');
        },
      },
    ];
    const timers = startPeriodic(tasks, log);
    await sleep(110);
    timers.stop();
    const [okAtStop, failingAtStop] = [ok, failing];
    assert.ok(ok >= 2, `ran ${ok} times`);
    assert.ok(failing >= 2, `the failing task ran ${failing} times`);
    assert.ok(records.some((r) => r.level === 40 && r.msg === 'failing failed'));
    await sleep(60);
    assert.deepEqual([ok, failing], [okAtStop, failingAtStop], 'nothing runs after stop');
  });

  test('periodic timers do not keep the process alive', () => {
    // Lists only the resources that keep the event loop alive: unref'd timers are not among them.
    const timeouts = () => process.getActiveResourcesInfo().filter((type) => type === 'Timeout').length;
    const before = timeouts();
    const timers = startPeriodic(
      [{ name: 'idle', everyMs: 60_000, run: async () => {} }],
      pino({ level: 'silent' }),
    );
    const during = timeouts();
    timers.stop();
    assert.equal(during, before);
  });

  test('jobs are collected per runner in module order, and a periodic task is found by name', async () => {
    const kind = defineJobKind('test.module', z.object({}));
    const a = defineJob(kind, { run: async () => ({}) });
    const b = defineJob(defineJobKind('test.module-b', z.object({})), { run: async () => ({}) });
    const one = defineModule({ name: 'one', jobs: { default: [a] }, extra: 1 });
    const two = defineModule({
      name: 'two',
      jobs: { sandbox: [b] },
      periodic: [{ name: 'tick', everyMs: 1000, run: async () => 7 }],
    });
    assert.equal(one.extra, 1, 'a module keeps its own members');
    assert.deepEqual(
      jobsFor([one, two], 'default').map((d) => d.kind),
      ['test.module'],
    );
    assert.deepEqual(
      jobsFor([one, two], 'sandbox').map((d) => d.kind),
      ['test.module-b'],
    );
    assert.equal(await periodicTask(two, 'tick').run(), 7);
    assert.throws(() => periodicTask(one, 'tick'), /module one has no periodic task "tick"/);
  });
});
