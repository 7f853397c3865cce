import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { jobHandlers } from '../jobs/registry.ts';
import { createJobRunner } from '../jobs/runner.ts';
import { eventually } from '../testing/eventually.ts';
import { BOOTSTRAP_TOKEN, freePort, startHarness, tempDir, type Harness } from '../testing/harness.ts';
import { socketRequest } from '../testing/child-server.ts';
import { deployAgent, startRun, waitForRun } from './test-fixtures.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const LONG = {
  files: { 'main.js': 'setInterval(() => console.log("working"), 100)' },
  config: { entrypoint: 'node main.js' },
};

describe('agent runs survive their worker', () => {
  describe('a server killed mid-run', () => {
    let dataDir: string;
    let port: number;
    let child: ChildProcess | undefined;
    const start = async () => {
      child = spawn(process.execPath, ['src/main.ts', 'serve'], {
        cwd: process.cwd(),
        env: {
          ...process.env,
          DATABASE_URL: '',
          DATA_DIR: dataDir,
          PORT: String(port),
          ATOLL_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
          ATOLL_JOB_POLL_MS: '50',
          LOG_LEVEL: 'silent',
        },
        stdio: 'ignore',
      });
      await eventually(async () => assert.ok((await fetch(`http://127.0.0.1:${port}/healthz`)).ok), {
        timeoutMs: 60_000,
        intervalMs: 100,
        message: 'the server to start',
      });
    };
    const kill = async () => {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child!.kill('SIGKILL');
      await exited;
    };
    /** The subset of Harness the fixtures use, over a real socket. */
    const client = { request: socketRequest(() => `http://127.0.0.1:${port}`) } as unknown as Harness;

    before(async () => {
      dataDir = tempDir('atoll-kill-');
      fs.chmodSync(dataDir, 0o711); // the sandbox uid traverses it, as it does a DATA_DIR the server makes
      port = await freePort();
      await start();
    });
    after(async () => {
      if (child && child.exitCode === null) await kill();
    });

    test('its sandbox dies with it and after a restart the run ends failed "worker lost", not run again', async () => {
      const agent = await deployAgent(client, LONG);
      const id = await startRun(client, agent.deploymentId);
      const running = await waitForRun(client, agent.deploymentId, id, (r) => r.status === 'running');
      assert.ok(alive(running.process_id));
      await kill();
      await eventually(() => !alive(running.process_id), {
        timeoutMs: 2000,
        message: 'the sandbox to end with its server',
      });
      await start();
      const ended = await waitForRun(client, agent.deploymentId, id);
      assert.equal(ended.status, 'failed');
      assert.match(ended.failure_reason, /worker lost/);
      const runs = await client.request('GET', `/v1/agent-deployments/${agent.deploymentId}/runs`);
      assert.equal(runs.body.items.length, 1);
    });
  });

  test('on Postgres, another process takes over a dead worker’s run after its lease and ends it failed', async (t) => {
    const h = await startHarness({ ATOLL_JOB_LEASE_MS: '1000', ATOLL_JOB_POLL_MS: '50' });
    try {
      const peer = await h.peer();
      if (!peer) return t.skip('needs DATABASE_URL (one process on PGlite)');
      // Only the peer runs agent jobs until it "dies".
      await h.atoll.agentJobs!.stop();
      const agent = await deployAgent(h, LONG);
      const id = await startRun(h, agent.deploymentId);
      const running = await waitForRun(h, agent.deploymentId, id, (r) => r.status === 'running');
      await peer.agentJobs!.abandon();
      await eventually(() => !alive(running.process_id), {
        timeoutMs: 2000,
        message: 'the sandbox to end with its worker',
      });
      const survivor = await startHarnessRunner(h);
      try {
        const ended = await waitForRun(h, agent.deploymentId, id);
        assert.equal(ended.status, 'failed');
        assert.match(ended.failure_reason, /worker lost/);
      } finally {
        await survivor.stop();
      }
    } finally {
      await h.close();
    }
  });
});

/** A fresh agent job runner on the harness's store (the harness's own was stopped). */
function startHarnessRunner(h: Harness) {
  const runner = createJobRunner({
    db: h.database.db,
    database: h.database,
    log: pino({ level: 'silent' }),
    workerId: 'survivor',
    concurrency: 2,
    leaseMs: 1000,
    pollMs: 50,
    handlers: jobHandlers(h.atoll.deployments.jobs.sandbox),
  });
  runner.start();
  return runner;
}
