import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { pino } from 'pino';
import { after, before, describe, test } from 'node:test';
import { createSession } from '../agents/test-fixtures.ts';
import { scanHostProcesses } from '../sandbox/test-support.ts';
import { eventually } from '../testing/eventually.ts';
import { startHarness, type Harness } from '../testing/harness.ts';
import { deployAgent, key, runLogs, startRun, waitForRun } from './test-fixtures.ts';

/** Every file under `dir` whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && fs.readFileSync(full).includes(needle)) found.push(full);
    }
  };
  walk(dir);
  return found;
}

test('a run’s secret env value is nowhere in the database, the data directory or the server logs', async () => {
  const secret = `s3cr3t-${randomBytes(12).toString('hex')}`;
  let serverLog = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      serverLog += chunk.toString();
      done();
    },
  });
  const h = await startHarness({}, { log: pino({ level: 'trace' }, sink) });
  try {
    const agent = await deployAgent(h, {
      files: {
        'main.js': `
          const v = process.env.API_KEY;
          console.log('key is ' + v);
          console.error('again: ' + v + '!');
          require('fs').writeFileSync('/tmp/copy', v);
          if (process.env.FAIL) throw new Error('failing with ' + v);
        `,
      },
      config: {
        entrypoint: 'node main.js',
        env: { required: ['API_KEY'] },
        debug: { retain_on_failure: true, retain_seconds: 60 },
      },
    });
    const good = await startRun(h, agent.deploymentId, { envs: { API_KEY: secret } });
    // A failed run with retention keeps its sandbox directory: still no copy outside the sandbox's own files.
    const bad = await startRun(h, agent.deploymentId, {
      envs: { API_KEY: secret, FAIL: '1' },
      retain_on_failure: false,
    });
    const idem = key();
    const twice = await Promise.all(
      [1, 2].map(() =>
        h.request('POST', `/v1/agent-deployments/${agent.deploymentId}/runs`, {
          headers: { 'idempotency-key': idem },
          body: { envs: { API_KEY: secret } },
        }),
      ),
    );
    assert.equal(twice[0]!.body.id, twice[1]!.body.id);
    for (const id of [good, bad, twice[0]!.body.id]) await waitForRun(h, agent.deploymentId, id);
    assert.equal((await waitForRun(h, agent.deploymentId, good)).status, 'succeeded');
    assert.equal((await waitForRun(h, agent.deploymentId, bad)).status, 'failed');

    const lines = (await runLogs(h, agent.deploymentId, good)).map((l) => l.text);
    assert.ok(lines.includes('key is [redacted]') && lines.includes('again: [redacted]!'), lines.join('\n'));
    const failed = (await runLogs(h, agent.deploymentId, bad)).map((l) => l.text).join('\n');
    assert.match(failed, /failing with \[redacted\]/);
    // The whole database, table by table, as text.
    const tables = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`.execute(h.database.db);
    assert.ok(tables.rows.length > 20);
    for (const { table_name } of tables.rows) {
      const dump = await sql<{ row: string }>`SELECT t::text AS row FROM ${sql.table(table_name)} t`.execute(
        h.database.db,
      );
      for (const { row } of dump.rows)
        assert.ok(!row.includes(secret), `${table_name} holds the secret: ${row}`);
    }
    // The data directory (sandboxes are removed; retention was off for the failed run).
    assert.deepEqual(filesContaining(h.config.dataDir, secret), []);
    assert.ok(serverLog.length > 0);
    assert.ok(!serverLog.includes(secret), 'the server log holds the secret');
  } finally {
    await h.close();
  }
});

/**
 * A job that shows what it got (API_KEY as a hash; the turn token reversed, so that log redaction lets
 * it through) and waits until the test writes `release` into its workdir.
 */
const SHOW_AND_WAIT = `
const fs = require('node:fs');
const hash = (v) => require('node:crypto').createHash('sha256').update(v ?? '').digest('hex');
console.log('key:' + hash(process.env.API_KEY));
console.log('token:' + [...(process.env.ATOLL_TURN_TOKEN ?? '')].reverse().join(''));
const wait = () => (fs.existsSync('release') ? process.exit(0) : setTimeout(wait, 50));
wait();
`;

/** The same as a service: GET /health answers once it listens. */
const SHOW_AND_SERVE = `
const hash = (v) => require('node:crypto').createHash('sha256').update(v ?? '').digest('hex');
console.log('key:' + hash(process.env.API_KEY));
require('node:http')
  .createServer((req, res) => res.end('ok'))
  .listen(Number(process.env.PORT), '0.0.0.0');
`;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('env values on the host while their process runs', () => {
  let h: Harness;
  let job: { deploymentId: string };
  before(async () => {
    h = await startHarness();
    job = await deployAgent(h, {
      files: { 'main.js': SHOW_AND_WAIT },
      config: { entrypoint: 'node main.js', env: { optional: ['API_KEY'] } },
    });
  });
  after(() => h.close());

  /** The text after `prefix` of the first log line starting with it, once the process printed it. */
  async function logLine(logsPath: string, prefix: string): Promise<string> {
    return eventually(
      async () => {
        // One page of the log as it is now (runLogs follows a live run to its end).
        const page = await h.request('GET', `${logsPath}?cursor=0&limit=200`);
        assert.equal(page.status, 200, page.text);
        const line = page.body.items.find((l: any) => l.text.startsWith(prefix));
        assert.ok(line, `no "${prefix}" line: ${JSON.stringify(page.body.items)}`);
        return line.text.slice(prefix.length) as string;
      },
      { timeoutMs: 30_000, intervalMs: 50, message: `a "${prefix}" log line` },
    );
  }

  /** Every host process outside the sandboxes, the sandbox's bwrap among them, is free of `value`. */
  function assertNowhereOnHost(value: string, sandboxId: string): void {
    const scan = scanHostProcesses(value);
    assert.deepEqual(scan.holders, [], 'host processes holding the value');
    const sandboxDir = path.join(h.config.dataDir, 'sandboxes', sandboxId);
    assert.ok(
      scan.scanned.some(({ command }) => /^\S*bwrap /.test(command) && command.includes(sandboxDir)),
      `the scan read the sandbox's bwrap: ${scan.scanned.map((p) => p.command).join('\n')}`,
    );
    assert.ok(
      scan.scanned.some(({ pid }) => pid === process.pid) &&
        scan.scanned.some(({ command }) => command.includes('spawner-child.ts')),
      'the scan read the server and its spawner',
    );
  }

  const release = (sandboxId: string) =>
    fs.writeFileSync(path.join(h.config.dataDir, 'sandboxes', sandboxId, 'work', 'release'), '');

  test('a job’s env value is on no host process’s command line or environment while it runs', async () => {
    const secret = `env-${randomBytes(12).toString('hex')}`;
    const runId = await startRun(h, job.deploymentId, { envs: { API_KEY: secret } });
    const logs = `/v1/agent-deployments/${job.deploymentId}/runs/${runId}/logs`;
    assert.equal(await logLine(logs, 'key:'), sha256(secret), 'the job saw its value');
    const running = await waitForRun(h, job.deploymentId, runId, (r) => r.sandbox_id !== null);
    try {
      assertNowhereOnHost(secret, running.sandbox_id);
    } finally {
      release(running.sandbox_id);
    }
    const run = await waitForRun(h, job.deploymentId, runId);
    assert.equal(run.status, 'succeeded', run.failure_reason);
  });

  test('a turn run’s ATOLL_TURN_TOKEN is on no host process’s command line or environment while it runs', async () => {
    const agent = await h.request('POST', '/v1/agents', {
      body: {
        name: 'token holder',
        instructions: 'x',
        capabilities: ['CHAT'],
        runtime_deployment_id: job.deploymentId,
      },
    });
    assert.equal(agent.status, 201, agent.text);
    const session = await createSession(
      h,
      { id: h.workspaceId, token: h.token },
      { agent_id: agent.body.id },
    );
    const turn = await h.request('POST', '/v1/agent_turns', {
      body: { session_id: session.id, message: 'hello' },
    });
    assert.equal(turn.status, 201, turn.text);
    const runs = await h.request('GET', `/v1/agent-deployments/${job.deploymentId}/runs?limit=100`);
    const runId = runs.body.items.find((r: any) => r.input.turn_id === turn.body.id)?.id;
    assert.ok(runId, 'the turn started a run');
    const logs = `/v1/agent-deployments/${job.deploymentId}/runs/${runId}/logs`;
    const token = [...(await logLine(logs, 'token:'))].reverse().join('');
    assert.ok(token.length > 20, 'the run got a turn token');
    const running = await waitForRun(h, job.deploymentId, runId, (r) => r.sandbox_id !== null);
    try {
      assertNowhereOnHost(token, running.sandbox_id);
    } finally {
      release(running.sandbox_id);
    }
    const run = await waitForRun(h, job.deploymentId, runId);
    assert.equal(run.status, 'succeeded', run.failure_reason);
  });

  test('a service instance’s env value is on no host process’s command line or environment while it runs', async () => {
    const service = await deployAgent(h, {
      files: { 'server.js': SHOW_AND_SERVE },
      config: {
        mode: 'service',
        entrypoint: 'node server.js',
        service: { port: 8000, readiness: { type: 'http', path: '/health', timeout_seconds: 20 } },
        env: { optional: ['API_KEY'] },
      },
    });
    const secret = `env-${randomBytes(12).toString('hex')}`;
    const base = `/v1/agent-deployments/${service.deploymentId}/services`;
    const created = await h.request('POST', base, {
      headers: { 'idempotency-key': key('svc') },
      body: { envs: { API_KEY: secret } },
    });
    assert.equal(created.status, 201, created.text);
    try {
      assert.equal(await logLine(`${base}/${created.body.id}/logs`, 'key:'), sha256(secret));
      const instance = await eventually(
        async () => {
          const instance = (await h.request('GET', `${base}/${created.body.id}`)).body;
          assert.notEqual(instance.status, 'starting', `service stuck: ${JSON.stringify(instance)}`);
          return instance;
        },
        { timeoutMs: 30_000, intervalMs: 50, message: 'the service to start' },
      );
      assert.equal(instance.status, 'ready', instance.failure_reason);
      assertNowhereOnHost(secret, instance.sandbox_id);
    } finally {
      await h.request('POST', `${base}/${created.body.id}/stop`);
    }
  });
});
