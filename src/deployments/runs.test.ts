import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../testing/harness.ts';
import { deployAgent, key, runLogs, startRun, waitForRun } from './test-fixtures.ts';

const JOB = `
const fs = require('node:fs');
const input = JSON.parse(fs.readFileSync(process.env.ATOLL_RUN_INPUT, 'utf8'));
console.log('hello ' + input.who);
console.error('to stderr');
fs.writeFileSync('result.json', JSON.stringify({ doubled: input.n * 2, run: process.env.ATOLL_RUN_ID }));
fs.mkdirSync('reports', { recursive: true });
fs.writeFileSync('reports/a.txt', 'A');
fs.writeFileSync('reports/b.txt', 'BB');
process.exit(Number(input.exit ?? 0));
`;

describe('agent runs in bwrap sandboxes', () => {
  let h: Harness;
  let job: { deploymentId: string; versionId: string };
  before(async () => {
    h = await startHarness();
    job = await deployAgent(h, {
      files: { 'main.js': JOB },
      config: { entrypoint: 'node main.js', outputs: { paths: ['result.json', 'reports', 'absent.txt'] } },
    });
  });
  after(() => h.close());

  test('a job that writes outputs and exits 0 succeeds with its outputs, logs and timestamps', async () => {
    const created = await h.request('POST', `/v1/agent-deployments/${job.deploymentId}/runs`, {
      headers: { 'idempotency-key': key() },
      body: { input: { who: 'world', n: 21 } },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.status, 'queued');
    assert.equal(created.body.mode, 'job');
    assert.equal(created.body.version_id, job.versionId);
    assert.deepEqual(created.body.input, { who: 'world', n: 21 });
    assert.match(created.body.id, /^adrun_/);
    assert.match(created.body.created_at, /^\d{4}-\d\d-\d\dT/);
    const run = await waitForRun(h, job.deploymentId, created.body.id);
    assert.equal(run.status, 'succeeded', run.failure_reason);
    assert.equal(run.exit_code, 0);
    assert.match(run.sandbox_id, /^sbx_/);
    assert.ok(run.process_id > 0);
    assert.ok(run.started_at && run.completed_at);
    const outputs = await h.request(
      'GET',
      `/v1/agent-deployments/${job.deploymentId}/runs/${run.id}/outputs`,
    );
    assert.equal(outputs.status, 200);
    assert.deepEqual(
      outputs.body.outputs.map((o: any) => [o.path, o.size]),
      [
        ['reports/a.txt', 1],
        ['reports/b.txt', 2],
        ['result.json', JSON.stringify({ doubled: 42, run: run.id }).length],
      ],
    );
    assert.deepEqual(outputs.body.output_manifest.missing, ['absent.txt']);
    assert.deepEqual(run.output_manifest.outputs.length, 3);
    const file = await h.request(
      'GET',
      `/v1/agent-deployments/${job.deploymentId}/runs/${run.id}/outputs/download?path=result.json`,
    );
    assert.equal(file.status, 200);
    assert.deepEqual(JSON.parse(file.text), { doubled: 42, run: run.id });
    const lines = await runLogs(h, job.deploymentId, run.id);
    assert.deepEqual(
      lines
        .filter((l) => l.stream !== 'system')
        .map((l) => [l.stream, l.text])
        .sort(),
      [
        ['stderr', 'to stderr'],
        ['stdout', 'hello world'],
      ],
    );
    assert.ok(lines.every((l, i) => l.seq === i + 1 && /Z$/.test(l.timestamp)));
  });

  test('a job that prints NUL bytes and invalid UTF-8 keeps every log line, made storable', async () => {
    const binary = await deployAgent(h, {
      files: {
        'main.js': `process.stdout.write('a\\0b\\n'); process.stdout.write(Buffer.from([0x63, 0xff, 0xfe, 0x64, 0x0a])); console.log('after');`,
      },
      config: { entrypoint: 'node main.js' },
    });
    const run = await waitForRun(h, binary.deploymentId, await startRun(h, binary.deploymentId));
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    const lines = await runLogs(h, binary.deploymentId, run.id);
    assert.deepEqual(
      lines.filter((l) => l.stream === 'stdout').map((l) => l.text),
      ['a\ufffdb', 'c\ufffd\ufffdd', 'after'],
    );
  });

  test('a non-zero exit fails the run with its exit code', async () => {
    const id = await startRun(h, job.deploymentId, { input: { who: 'x', n: 1, exit: 3 } });
    const run = await waitForRun(h, job.deploymentId, id);
    assert.equal(run.status, 'failed');
    assert.equal(run.exit_code, 3);
    assert.match(run.failure_reason, /exited with code 3/);
  });

  test('an install that fails ends the run failed before the entrypoint runs', async () => {
    const bad = await deployAgent(h, {
      files: { 'main.js': 'require("fs").writeFileSync("ran", "1")' },
      config: { entrypoint: 'node main.js', install: 'echo installing; exit 7', outputs: { paths: ['ran'] } },
    });
    const id = await startRun(h, bad.deploymentId);
    const run = await waitForRun(h, bad.deploymentId, id);
    assert.equal(run.status, 'failed');
    assert.match(run.failure_reason, /install exited with code 7/);
    assert.equal(run.process_id, null);
    const lines = await runLogs(h, bad.deploymentId, id);
    assert.ok(lines.some((l) => l.text === 'installing'));
  });

  test('a run past its timeout ends timed_out and its processes are gone', async () => {
    const slow = await deployAgent(h, {
      files: { 'main.js': 'setInterval(() => {}, 1000)' },
      config: { entrypoint: 'sleep 600 & node main.js', resources: { timeout_seconds: 1 } },
    });
    const id = await startRun(h, slow.deploymentId);
    const run = await waitForRun(h, slow.deploymentId, id);
    assert.equal(run.status, 'timed_out');
    assert.match(run.failure_reason, /timeout_seconds \(1 s\)/);
    assert.equal(processAlive(run.process_id), false);
  });

  test('cancel while running kills the process tree and ends the run cancelled', async () => {
    const slow = await deployAgent(h, {
      files: { 'main.js': 'setInterval(() => console.log("tick"), 50)' },
      config: { entrypoint: 'node main.js' },
    });
    const id = await startRun(h, slow.deploymentId);
    const running = await waitForRun(h, slow.deploymentId, id, (r) => r.status === 'running');
    const cancelled = await h.request(
      'POST',
      `/v1/agent-deployments/${slow.deploymentId}/runs/${id}/cancel`,
      {
        body: { reason: 'enough' },
      },
    );
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal(cancelled.body.status, 'cancelled');
    assert.match(cancelled.body.failure_reason, /enough/);
    assert.equal(processAlive(running.process_id), false);
    const again = await h.request('POST', `/v1/agent-deployments/${slow.deploymentId}/runs/${id}/cancel`);
    assert.equal(again.body.status, 'cancelled');
  });

  test('ten concurrent creates with one idempotency key make one run', async () => {
    const idem = key('same');
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        h.request('POST', `/v1/agent-deployments/${job.deploymentId}/runs`, {
          headers: { 'idempotency-key': idem },
          body: { input: { who: 'once', n: 1 } },
        }),
      ),
    );
    assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([201]));
    assert.equal(new Set(answers.map((a) => a.body.id)).size, 1);
    assert.equal(answers[0]!.body.idempotency_key, idem);
    const list = await h.request('GET', `/v1/agent-deployments/${job.deploymentId}/runs?limit=200`);
    assert.equal(list.body.items.filter((r: any) => r.input.who === 'once').length, 1);
    await waitForRun(h, job.deploymentId, answers[0]!.body.id);
  });
});

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
