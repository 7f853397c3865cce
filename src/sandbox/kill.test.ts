import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../testing/eventually.ts';
import { pidsOfUid } from './kill.ts';
import { hasCgroup, leftovers, run, testDriver, type TestDriver } from './test-support.ts';

/** Waits until no process of `uid` is left, naming the leftovers if some stay. */
const noProcessesOf = (uid: number, timeoutMs: number) =>
  eventually(
    () => assert.equal(pidsOfUid(uid).length, 0, `processes of uid ${uid} left: ${pidsOfUid(uid).join(' ')}`),
    { timeoutMs, message: `the processes of uid ${uid} to end` },
  );

describe('bwrap sandbox: killing', () => {
  let t: TestDriver;
  before(() => {
    t = testDriver();
  });
  after(() => t.close());

  test('kill() of a command with background and setsid children leaves no process behind', async () => {
    const sandbox = await t.sandbox();
    let out = '';
    const proc = sandbox.exec({
      command: 'sleep 1000 & setsid sleep 1000 & echo up; wait',
      env: {},
      onOutput: (_, chunk) => (out += chunk.toString()),
    });
    await proc.started;
    assert.ok(proc.pid > 0);
    await eventually(() => out.includes('up'), { timeoutMs: 5000, message: 'the command to print up' });
    assert.ok(leftovers(sandbox).inCgroup.length >= 3 || leftovers(sandbox).byUid.length >= 3);
    await proc.kill();
    assert.deepEqual(await proc.exited, { exitCode: null, signal: 'SIGKILL', limit: null });
    assert.deepEqual(leftovers(sandbox), { byUid: [], inCgroup: [] });
    await proc.kill(); // a no-op once it ended
  });

  test('a command that double-forks a daemon and exits leaves nothing behind once exited resolves', async () => {
    const sandbox = await t.sandbox();
    const { result, stdout } = await run(
      sandbox,
      `(setsid sh -c 'sleep 1000 & echo daemon' &); node -e "require('child_process').spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' }).unref()"; sleep 0.1; echo parent-exit`,
    );
    assert.deepEqual(result, { exitCode: 0, signal: null, limit: null });
    assert.match(stdout, /parent-exit/);
    assert.deepEqual(leftovers(sandbox), { byUid: [], inCgroup: [] });
  });

  test('the sandbox dies with the server: SIGKILL of the server process ends the sandboxed sleep', async () => {
    const script = path.join(t.dataDir, 'server.mjs');
    fs.writeFileSync(
      script,
      `import fs from 'node:fs';
import { createBwrapDriver } from ${JSON.stringify(path.join(import.meta.dirname, 'bwrap.ts'))};
const driver = createBwrapDriver({ root: ${JSON.stringify(t.root)} });
const sandbox = await driver.create({
  id: 'sbx_serverdeath${process.pid}',
  workdir: '/workspace',
  internetAccess: false,
  resources: { memoryMb: 256, diskMb: 16, vcpus: 1, processes: 32, openFiles: 64 },
});
sandbox.exec({
  command: 'echo started; sleep 1000',
  env: {},
  onOutput: (_, chunk) => process.stdout.write(JSON.stringify({ id: sandbox.id, uid: fs.statSync(sandbox.hostRoot).uid, out: String(chunk) }) + '\\n'),
});
`,
    );
    const server = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      server.once('exit', () => reject(new Error(`the server exited: ${out}`)));
    });
    const { id, uid, out } = JSON.parse(line) as { id: string; uid: number; out: string };
    assert.equal(out, 'started\n');
    if (process.getuid?.() === 0) assert.ok(pidsOfUid(uid).length >= 2, 'bwrap and sleep run');
    server.kill('SIGKILL');
    await noProcessesOf(uid, 5000);
    // A new server removes what the dead one left (its directory and cgroup).
    assert.ok((await t.driver.list()).includes(id));
    await t.driver.remove(id);
    assert.ok(!(await t.driver.list()).includes(id));
  });

  test('a server dying while a command starts never lets it run, and recovery removes what is left', async () => {
    const script = path.join(t.dataDir, 'early.mjs');
    const id = `sbx_early${process.pid}`;
    fs.writeFileSync(
      script,
      `import fs from 'node:fs';
import { createBwrapDriver } from ${JSON.stringify(path.join(import.meta.dirname, 'bwrap.ts'))};
const driver = createBwrapDriver({ root: ${JSON.stringify(t.root)} });
const sandbox = await driver.create({
  id: '${id}',
  workdir: '/workspace',
  internetAccess: false,
  resources: { memoryMb: 256, diskMb: 16, vcpus: 1, processes: 32, openFiles: 64 },
});
fs.writeSync(1, JSON.stringify({ uid: fs.statSync(sandbox.hostRoot).uid }) + '\\n');
sandbox.exec({ command: 'touch ran; sleep 1000', env: {}, onOutput() {} });
process.kill(process.pid, 'SIGKILL');
`,
    );
    const server = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    server.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise((resolve) => server.once('close', resolve));
    const { uid } = JSON.parse(out.split('\n')[0]!) as { uid: number };
    // The wrapper waits at its gate for the server, which died: it exits without running the command.
    // (bwrap itself may be left stuck in its setup when its parent died at the wrong moment; it runs
    // nothing, and recovery kills it by uid.)
    // Deliberate window: the command must not have run (left a file) within it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (hasCgroup()) assert.equal(fs.existsSync(path.join(t.root, id, 'work', 'ran')), false);
    await t.driver.remove(id);
    await noProcessesOf(uid, 2000);
    assert.ok(!(await t.driver.list()).includes(id));
  });

  test('destroy kills every running command of the sandbox', async () => {
    const sandbox = await t.sandbox();
    const first = sandbox.exec({ command: 'sleep 1000', env: {}, onOutput() {} });
    const second = sandbox.exec({ command: 'sleep 1000 & wait', env: {}, onOutput() {} });
    await Promise.all([first.started, second.started]);
    await sandbox.destroy();
    assert.equal((await first.exited).signal, 'SIGKILL');
    assert.equal((await second.exited).signal, 'SIGKILL');
    assert.equal(fs.existsSync(sandbox.hostRoot), false);
  });
});
