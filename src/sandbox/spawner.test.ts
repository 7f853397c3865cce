import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../testing/eventually.ts';
import { createSpawner, type RemoteChild } from './spawner.ts';

/** The exit of a spawned child, with what it wrote on stdout. */
function closed(child: RemoteChild): Promise<{ code: number | null; signal: string | null; out: string }> {
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, out })));
}

describe('the spawner process', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-spawner-test-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a child gone before reading its input is its own end: the spawner and its other children live on', async () => {
    const spawner = createSpawner();
    const bystander = spawner.spawn('/bin/sh', ['-c', 'sleep 1; echo still here'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const bystanderClosed = closed(bystander);
    // Writing to an input the child closed fails with EPIPE in the spawner …
    const closer = spawner.spawn('/bin/sh', ['-c', 'exec 3<&-; echo closed; sleep 0.5'], {
      stdio: ['ignore', 'pipe', 'ignore', 'input'],
    });
    let out = '';
    closer.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const closerClosed = new Promise<[number | null, string | null]>((resolve) =>
      closer.once('close', (code, signal) => resolve([code, signal])),
    );
    await new Promise<void>((resolve) => closer.once('spawn', resolve));
    await eventually(() => out.includes('closed'), { intervalMs: 10, message: 'the child to report closed' });
    (closer.stdio[3] as Writable).write('go\n');
    // … and a child ending with input it never read leaves the spawner's end of it reset.
    const leaver = spawner.spawn('/bin/sh', ['-c', 'sleep 0.2'], {
      stdio: ['ignore', 'ignore', 'ignore', 'input'],
    });
    (leaver.stdio[3] as Writable).write('never read\n');
    const leaverClosed = new Promise<[number | null, string | null]>((resolve) =>
      leaver.once('close', (code, signal) => resolve([code, signal])),
    );
    assert.deepEqual(await closerClosed, [0, null]);
    assert.deepEqual(await leaverClosed, [0, null]);
    assert.deepEqual(await bystanderClosed, { code: 0, signal: null, out: 'still here\n' });
  });

  test('the spawner of a killed server exits quietly, mid-message, without a stack trace', async () => {
    const script = path.join(dir, 'server.mjs');
    // The server stops its spawner, asks it for more (spawns, input for a child that closed it) and
    // is killed: the spawner, continued, finds the requests and then a server that is gone.
    fs.writeFileSync(
      script,
      `import fs from 'node:fs';
import { createSpawner } from ${JSON.stringify(path.join(import.meta.dirname, 'spawner.ts'))};
const spawner = createSpawner();
const reader = spawner.spawn('/bin/sh', ['-c', 'exec 3<&-; echo closed; sleep 3'], { stdio: ['ignore', 'pipe', 'ignore', 'input'] });
reader.stdout.once('data', () => {
  const children = fs.readdirSync('/proc/self/task').flatMap((task) =>
    fs.readFileSync('/proc/self/task/' + task + '/children', 'utf8').split(' ').filter(Boolean).map(Number));
  if (children.length !== 1) throw new Error('expected one child, the spawner: ' + children);
  process.kill(children[0], 'SIGSTOP');
  process.stdout.write(children[0] + '\\n');
  for (let i = 0; i < 5; i++) spawner.spawn('/bin/true', [], { stdio: ['ignore', 'pipe', 'ignore'] });
  reader.stdio[3].write('go\\n');
  process.kill(process.pid, 'SIGKILL');
});
`,
    );
    const server = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    server.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      server.once('exit', (c, s) => resolve([c, s])),
    );
    assert.equal(signal, 'SIGKILL', `the server was killed, not ended: ${code} ${stdout} ${stderr}`);
    const spawnerPid = Number(stdout.trim());
    assert.ok(spawnerPid > 0, stdout);
    process.kill(spawnerPid, 'SIGCONT');
    // 'close' comes once every holder of the stderr pipe is gone: the server and its spawner.
    await new Promise((resolve) => server.once('close', resolve));
    assert.equal(stderr, '');
  });

  test('a server whose spawner died lives on: input for a child it relayed goes nowhere', async () => {
    const script = path.join(dir, 'orphaned.mjs');
    fs.writeFileSync(
      script,
      `import fs from 'node:fs';
import { createSpawner } from ${JSON.stringify(path.join(import.meta.dirname, 'spawner.ts'))};
const spawner = createSpawner();
// Holds the event loop: nothing else waits for the (unreferenced) spawner's exit.
const alive = setTimeout(() => {}, 10_000);
const child = spawner.spawn('/bin/sh', ['-c', 'echo up; sleep 3'], { stdio: ['ignore', 'pipe', 'ignore', 'input'] });
child.stdout.once('data', () => {
  const [helper] = fs.readdirSync('/proc/self/task').flatMap((task) =>
    fs.readFileSync('/proc/self/task/' + task + '/children', 'utf8').split(' ').filter(Boolean).map(Number));
  process.kill(helper, 'SIGKILL');
});
child.once('close', (code, signal) => {
  child.stdio[3].write('go\\n');
  child.stdio[3].end();
  setTimeout(() => {
    process.stdout.write('alive after ' + signal + '\\n');
    clearTimeout(alive);
  }, 200);
});
`,
    );
    const server = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    server.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => server.once('close', resolve));
    assert.deepEqual([code, stdout, stderr], [0, 'alive after SIGKILL\n', '']);
  });
});
