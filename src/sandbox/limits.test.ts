import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../testing/eventually.ts';
import {
  cgroupDir,
  hasMemoryCgroup,
  leftovers,
  RESOURCES,
  run,
  testDriver,
  type TestDriver,
} from './test-support.ts';

describe('bwrap sandbox: limits', () => {
  let t: TestDriver;
  before(() => {
    t = testDriver();
  });
  after(() => t.close());

  test('the rlimits are in place: processes, open files, file size, address space, no core dumps', async () => {
    const sandbox = await t.sandbox({
      resources: { ...RESOURCES, processes: 40, openFiles: 100, diskMb: 3, memoryMb: 256 },
    });
    const { stdout } = await run(
      sandbox,
      'ulimit -H -p; ulimit -H -n; ulimit -H -f; ulimit -H -v; ulimit -H -c',
    );
    assert.deepEqual(stdout.trim().split('\n'), [
      '40',
      '100',
      String(3 * 2048),
      String((256 + 4096) * 1024),
      '0',
    ]);
  });

  test('a fork bomb is held by the process limit, and kill() leaves no process of the sandbox', async () => {
    const sandbox = await t.sandbox({ resources: { ...RESOURCES, processes: 48 } });
    // Each bomb forks bombs and sleepers until a fork fails (dash then exits); the sleepers keep the
    // sandbox at its limit. The command's own shell spins without forking, so that it stays.
    const proc = sandbox.exec({
      command: 'bomb() { while :; do bomb & sleep 1000 & done; }; bomb & while :; do :; done',
      env: {},
      onOutput() {},
    });
    let most = 0;
    for (let i = 0; i < 6; i++) {
      // Deliberate: sample the process count over 600 ms to see the most the limit allows.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const { inCgroup, byUid } = leftovers(sandbox);
      most = Math.max(most, inCgroup.length, byUid.length - 1); // bwrap itself runs as the uid, outside
    }
    assert.ok(most > 10, `the bomb ran (${most} processes at most)`);
    assert.ok(most <= 48, `${most} processes`);
    await proc.kill();
    assert.deepEqual(await proc.exited, { exitCode: null, signal: 'SIGKILL', limit: null });
    assert.deepEqual(leftovers(sandbox), { byUid: [], inCgroup: [] });
  });

  test('a sandbox holds its cgroup only while commands run', async (ctx) => {
    const sandbox = await t.sandbox();
    const dir = cgroupDir(sandbox);
    if (!dir) return ctx.skip('no cgroups here');
    assert.equal(fs.existsSync(dir), false);
    const proc = sandbox.exec({ command: 'sleep 0.2', env: {}, onOutput() {} });
    await eventually(() => fs.existsSync(dir), { message: 'the cgroup while the command runs' });
    await proc.exited;
    assert.equal(fs.existsSync(dir), false);
  });

  test('a file larger than diskMb cannot be written', async () => {
    const sandbox = await t.sandbox({ resources: { ...RESOURCES, diskMb: 4 } });
    const { stdout } = await run(sandbox, 'head -c 10000000 /dev/zero > big; echo "status=$?"');
    assert.equal(stdout, 'status=153\n'); // 128 + SIGXFSZ
    assert.equal(fs.statSync(path.join(sandbox.hostWorkdir, 'big')).size, 4 * 1024 * 1024);
  });

  test('writing many files beyond diskMb gets the command killed with limit disk', async () => {
    const sandbox = await t.sandbox({ resources: { ...RESOURCES, diskMb: 4 } });
    const { result, stdout } = await run(
      sandbox,
      'i=0; while [ $i -lt 60 ]; do head -c 1048576 /dev/zero > /tmp/f$i; i=$((i+1)); sleep 0.03; done; echo finished',
    );
    assert.deepEqual(result, { exitCode: null, signal: 'SIGKILL', limit: 'disk' });
    assert.equal(stdout, '');
    assert.deepEqual(leftovers(sandbox), { byUid: [], inCgroup: [] });
  });

  test('allocating beyond memoryMb ends the command (limit memory where the memory cgroup exists)', async () => {
    const sandbox = await t.sandbox({ resources: { ...RESOURCES, memoryMb: 128 } });
    const { result } = await run(
      sandbox,
      `node -e "const a = []; for (;;) a.push(Buffer.alloc(16 * 1024 * 1024, 1))"`,
    );
    if (hasMemoryCgroup()) assert.deepEqual(result, { exitCode: null, signal: 'SIGKILL', limit: 'memory' });
    else assert.notEqual(result.exitCode, 0);
    assert.deepEqual(leftovers(sandbox), { byUid: [], inCgroup: [] });
  });
});
