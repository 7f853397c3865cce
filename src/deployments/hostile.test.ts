import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../testing/harness.ts';
import { deployAgent, runLogs, startRun, waitForRun } from './test-fixtures.ts';

/** Runs `script` (node) as a job and returns the run and its output lines. */
async function runScript(h: Harness, script: string, config: Record<string, unknown> = {}) {
  const agent = await deployAgent(h, {
    files: { 'main.js': script },
    config: { entrypoint: 'node main.js', ...config },
  });
  const run = await waitForRun(
    h,
    agent.deploymentId,
    await startRun(h, agent.deploymentId),
    undefined,
    60_000,
  );
  const lines = (await runLogs(h, agent.deploymentId, run.id)).map((l) => l.text);
  return { run, lines };
}

const TRY = (label: string, body: string) => `
try { ${body}; console.log('${label}: OPEN'); } catch (e) { console.log('${label}: denied ' + e.code); }`;

describe('hostile agents are contained', () => {
  let h: Harness;
  let listener: net.Server;
  let port: number;
  before(async () => {
    h = await startHarness();
    fs.writeFileSync(path.join(h.config.dataDir, 'server-secret.txt'), 'do not read');
    listener = net.createServer((socket) => socket.end('host service\n'));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as net.AddressInfo).port;
  });
  after(async () => {
    listener.close();
    await h.close();
  });

  test("host files, the server's data directory and other runs' sandboxes cannot be read", async () => {
    // A retained failed run leaves a sandbox directory on the host for the next run to look for.
    const victim = await runScript(
      h,
      'require("fs").writeFileSync("victim.txt", "private"); process.exit(1)',
      {
        debug: { retain_on_failure: true, retain_seconds: 60 },
      },
    );
    assert.ok(victim.run.retained_until);
    const victimDir = path.join(h.config.dataDir, 'sandboxes', victim.run.sandbox_id);
    const { run, lines } = await runScript(
      h,
      [
        "const fs = require('fs');",
        TRY('shadow', "fs.readFileSync('/etc/shadow')"),
        TRY(
          'datadir',
          `fs.readFileSync(${JSON.stringify(path.join(h.config.dataDir, 'server-secret.txt'))})`,
        ),
        TRY('victim', `fs.readdirSync(${JSON.stringify(victimDir)})`),
        TRY('root', "fs.readdirSync('/root')"),
        TRY('sys', "fs.readdirSync('/sys/class')"),
        "console.log('uid ' + process.getuid());",
        "console.log('procs ' + fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p)).length);",
      ].join('\n'),
    );
    assert.equal(run.status, 'succeeded', run.failure_reason);
    for (const label of ['shadow', 'datadir', 'victim', 'root', 'sys'])
      assert.ok(
        lines.some((l) => l.startsWith(`${label}: denied`)),
        `${label}: ${lines.join(' | ')}`,
      );
    assert.ok(lines.includes('uid 1000'), lines.join(' | '));
    const procs = Number(lines.find((l) => l.startsWith('procs '))!.split(' ')[1]);
    assert.ok(procs < 10, `the sandbox sees ${procs} processes: not its own pid namespace`);
  });

  test('without internet_access the network is unreachable, host loopback included', async () => {
    const { run, lines } = await runScript(
      h,
      `const net = require('net');
       const s = net.connect(${port}, '127.0.0.1');
       s.on('data', () => { console.log('connected: OPEN'); process.exit(0); });
       s.on('error', (e) => { console.log('connect: denied ' + e.code); process.exit(0); });
       setTimeout(() => { console.log('connect: denied timeout'); process.exit(0); }, 2000);`,
    );
    assert.equal(run.status, 'succeeded');
    assert.ok(
      lines.some((l) => l.startsWith('connect: denied')),
      lines.join(' | '),
    );
  });

  test('a fork bomb is held by the process limit and ends with its run', async () => {
    const started = Date.now();
    const agent = await deployAgent(h, {
      files: { 'bomb.sh': 'b() { b | b & }; b' },
      // sleep is started before the bomb: started after, its fork could find the process table full
      // and end the run failed at once instead of at its timeout.
      config: { entrypoint: 'sleep 30 & sh bomb.sh; wait', resources: { timeout_seconds: 3 } },
    });
    const run = await waitForRun(
      h,
      agent.deploymentId,
      await startRun(h, agent.deploymentId),
      undefined,
      60_000,
    );
    assert.equal(run.status, 'timed_out', JSON.stringify(run));
    assert.ok(Date.now() - started < 30_000);
    // The host still forks fine and the run's processes are gone.
    assert.equal(fs.existsSync(`/proc/${run.process_id}`), false);
  });

  test('filling the disk ends the run failed at the disk limit', async () => {
    const { run } = await runScript(
      h,
      `const fs = require('fs'); const chunk = Buffer.alloc(1 << 20, 1);
       for (let i = 0; ; i++) fs.writeFileSync('fill-' + i, chunk);`,
      { resources: { disk_mb: 16, timeout_seconds: 30 } },
    );
    assert.equal(run.status, 'failed');
    assert.match(run.failure_reason, /disk/);
  });

  test('allocating past memory_mb ends the run failed', async () => {
    const { run } = await runScript(h, `const keep = []; for (;;) keep.push(Buffer.alloc(16 << 20, 1));`, {
      resources: { memory_mb: 128, timeout_seconds: 30 },
    });
    assert.equal(run.status, 'failed');
    assert.ok(run.failure_reason, 'it says why');
  });
});
