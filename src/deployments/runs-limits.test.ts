import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../testing/eventually.ts';
import { startHarness, type Harness } from '../testing/harness.ts';
import { periodicTask } from '../module.ts';
import { deployAgent, key, runLogs, startRun, waitForRun } from './test-fixtures.ts';

describe('seed 004, capacity and retention', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ ATOLL_SANDBOX_CAPACITY: '2' });
  });
  after(() => h.close());

  test('the seed 004 request creates a run with every field of the documented response', async () => {
    const agent = await deployAgent(h, { files: { 'main.js': '' }, config: { entrypoint: 'node main.js' } });
    const res = await h.request('POST', `/v1/agent-deployments/${agent.deploymentId}/runs`, {
      headers: { 'Idempotency-Key': 'seed-004' },
      body: {
        version_id: agent.versionId,
        input: {},
        envs: {},
        retain_on_failure: true,
        retention_seconds: 2,
      },
    });
    assert.equal(res.status, 201, res.text);
    for (const field of [
      'id',
      'deployment_id',
      'version_id',
      'mode',
      'status',
      'input',
      'created_at',
      'updated_at',
      'retain_on_failure',
      'retention_seconds',
      'sandbox_id',
      'process_id',
      'exit_code',
      'failure_reason',
      'output_manifest',
      'started_at',
      'completed_at',
      'idempotency_key',
    ])
      assert.ok(field in res.body, `missing ${field}`);
    assert.equal(res.body.retain_on_failure, true);
    assert.equal(res.body.retention_seconds, 2);
    assert.equal(res.body.idempotency_key, 'seed-004');
    assert.equal('envs' in res.body, false);
    assert.equal((await waitForRun(h, agent.deploymentId, res.body.id)).status, 'succeeded');
  });

  test('at capacity a run is refused with 429 capacity_exceeded and nothing is written', async () => {
    const agent = await deployAgent(h, {
      files: { 'main.js': 'setInterval(() => {}, 1000)' },
      config: { entrypoint: 'node main.js' },
    });
    const busy = [await startRun(h, agent.deploymentId), await startRun(h, agent.deploymentId)];
    const idem = key('full');
    const refused = await h.request('POST', `/v1/agent-deployments/${agent.deploymentId}/runs`, {
      headers: { 'idempotency-key': idem },
      body: {},
    });
    assert.equal(refused.status, 429, refused.text);
    assert.equal(refused.body.error.code, 'capacity_exceeded');
    assert.equal(refused.body.error.retryable, true);
    const listed = await h.request('GET', `/v1/agent-deployments/${agent.deploymentId}/runs`);
    assert.equal(listed.body.items.length, 2);
    for (const id of busy)
      await h.request('POST', `/v1/agent-deployments/${agent.deploymentId}/runs/${id}/cancel`);
    // The refusal did not use up the key: the same request now executes.
    const retried = await h.request('POST', `/v1/agent-deployments/${agent.deploymentId}/runs`, {
      headers: { 'idempotency-key': idem },
      body: {},
    });
    assert.equal(retried.status, 201, retried.text);
    await h.request('POST', `/v1/agent-deployments/${agent.deploymentId}/runs/${retried.body.id}/cancel`);
  });

  test('a failed run with retention keeps its sandbox until the sweeper removes it; others are removed at once', async () => {
    const agent = await deployAgent(h, {
      files: { 'main.js': 'require("fs").writeFileSync("evidence.txt", "x"); process.exit(2)' },
      config: { entrypoint: 'node main.js' },
    });
    const kept = await waitForRun(
      h,
      agent.deploymentId,
      await startRun(h, agent.deploymentId, { retain_on_failure: true, retention_seconds: 1 }),
    );
    assert.equal(kept.status, 'failed');
    assert.ok(kept.retained_until, 'retained_until is set');
    const dir = path.join(h.config.dataDir, 'sandboxes', kept.sandbox_id);
    assert.ok(fs.existsSync(dir), 'the sandbox directory is kept');
    assert.ok(
      fs.readdirSync(dir, { recursive: true }).some((f) => String(f).endsWith('evidence.txt')),
      'with the files the run wrote',
    );
    const gone = await waitForRun(h, agent.deploymentId, await startRun(h, agent.deploymentId));
    assert.equal(gone.status, 'failed');
    assert.equal(gone.retained_until, null);
    // Removed right after the run is recorded as ended.
    const goneDir = path.join(h.config.dataDir, 'sandboxes', gone.sandbox_id);
    await eventually(() => !fs.existsSync(goneDir), {
      timeoutMs: 2000,
      message: 'the sandbox directory to go',
    });
    await new Promise((r) => setTimeout(r, 1100)); // deliberate: past the kept run's retention
    // On a slow machine the background sweep (every 15 s) may have removed it first; one of the two does.
    const removedAlready = !fs.existsSync(dir);
    const swept = await periodicTask(h.atoll.deployments, 'sweeping retained sandboxes').run();
    assert.equal(swept, removedAlready ? 0 : 1);
    assert.equal(fs.existsSync(dir), false);
    const after = await waitForRun(h, agent.deploymentId, kept.id);
    assert.equal(after.retained_until, null);
  });
});

describe('run logs over a real socket', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('SSE follows a running job until it ends and resumes from Last-Event-ID without loss or repeats', async () => {
    const base = await h.listen();
    const agent = await deployAgent(h, {
      files: {
        'main.js':
          'let i = 0; const t = setInterval(() => { console.log("line " + ++i); if (i === 20) { clearInterval(t); } }, 20);',
      },
      config: { entrypoint: 'node main.js' },
    });
    const id = await startRun(h, agent.deploymentId);
    const url = `${base}/v1/agent-deployments/${agent.deploymentId}/runs/${id}/logs?follow=true`;
    const read = async (lastEventId?: string, stopAfter?: number) => {
      const controller = new AbortController();
      const res = await fetch(url, {
        headers: {
          authorization: `Bearer ${h.token}`,
          accept: 'text/event-stream',
          ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        },
        signal: controller.signal,
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /text\/event-stream/);
      const decoder = new TextDecoder();
      let text = '';
      const frames: Array<{ id?: string; event: string; data: any }> = [];
      try {
        for await (const chunk of res.body!) {
          text += decoder.decode(chunk, { stream: true });
          let end;
          while ((end = text.indexOf('\n\n')) !== -1) {
            const frame = text.slice(0, end);
            text = text.slice(end + 2);
            if (frame.startsWith(':')) continue;
            const fields = Object.fromEntries(
              frame.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
            );
            frames.push({ id: fields.id, event: fields.event!, data: JSON.parse(fields.data!) });
            if (fields.event === 'end') return frames;
            if (stopAfter && frames.length === stopAfter) {
              controller.abort();
              return frames;
            }
          }
        }
      } catch (error) {
        if (!controller.signal.aborted) throw error;
      }
      return frames;
    };
    const first = await read(undefined, 5);
    assert.equal(first.length, 5);
    const rest = await read(first[4]!.id);
    assert.equal(rest[rest.length - 1]!.event, 'end');
    const texts = [...first, ...rest]
      .filter((f) => f.event === 'log' && f.data.stream === 'stdout')
      .map((f) => f.data.text);
    assert.deepEqual(
      texts,
      Array.from({ length: 20 }, (_, i) => `line ${i + 1}`),
    );
    const seqs = [...first, ...rest].filter((f) => f.event === 'log').map((f) => f.data.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    assert.equal(new Set(seqs).size, seqs.length);
    assert.equal((await waitForRun(h, agent.deploymentId, id)).status, 'succeeded');
    const page = await runLogs(h, agent.deploymentId, id);
    assert.equal(page.filter((l) => l.stream === 'stdout').length, 20);
  });

  test('a log bounded by ATOLL_RUN_LOG_BYTES is marked truncated', async () => {
    const small = await startHarness({ ATOLL_RUN_LOG_BYTES: '2048' });
    try {
      const agent = await deployAgent(small, {
        files: { 'main.js': 'for (let i = 0; i < 1000; i++) console.log("x".repeat(50))' },
        config: { entrypoint: 'node main.js' },
      });
      const id = await startRun(small, agent.deploymentId);
      assert.equal((await waitForRun(small, agent.deploymentId, id)).status, 'succeeded');
      const page = await small.request(
        'GET',
        `/v1/agent-deployments/${agent.deploymentId}/runs/${id}/logs?limit=200`,
      );
      assert.equal(page.body.truncated, true);
      assert.equal(page.body.complete, true);
      assert.ok(page.body.items.length < 60);
      assert.match(page.body.items.at(-1).text, /log truncated/);
    } finally {
      await small.close();
    }
  });
});
