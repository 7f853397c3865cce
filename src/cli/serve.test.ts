import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BOOTSTRAP_TOKEN, tempDir } from '../testing/harness.ts';
import { deployAgent, key, startRun, waitForRun } from '../deployments/test-fixtures.ts';
import { childServer, MAIN, type ChildServer } from '../testing/child-server.ts';
import { openSse } from '../testing/sse.ts';

const LONG = {
  files: { 'main.js': 'setInterval(() => console.log("working"), 100)' },
  config: { entrypoint: 'node main.js' },
};
const SSE = { accept: 'text/event-stream' };

/** `atoll serve` run to its end (it is expected to fail at start-up). */
function serveOnce(env: Record<string, string>) {
  return spawnSync(process.execPath, [MAIN, 'serve'], { encoding: 'utf8', env, timeout: 60_000 });
}

describe('atoll serve stops gracefully', () => {
  let server: ChildServer;
  before(async () => {
    server = await childServer({ ATOLL_SHUTDOWN_GRACE_MS: '4000' });
    await server.start();
  });
  after(() => server.cleanup());

  test('SIGTERM ends open streams with a shutdown frame, lets an in-flight request finish, fails an active run "worker lost" and exits 0 within the grace', async () => {
    const h = server.client;
    const agent = await deployAgent(h, LONG);
    const runId = await startRun(h, agent.deploymentId);
    await waitForRun(h, agent.deploymentId, runId, (r) => r.status === 'running');
    const snippet = await h.request('POST', '/v1/snippets', {
      body: {
        name: 'slow',
        display_type: 'json',
        code: 'async () => { const end = Date.now() + 2500; while (Date.now() < end) {} return "done"; }',
      },
    });
    assert.equal(snippet.status, 201, snippet.text);

    const events = openSse(`${server.base}/v1/agent_events:stream?follow=true`, BOOTSTRAP_TOKEN, SSE);
    const logs = openSse(
      `${server.base}/v1/agent-deployments/${agent.deploymentId}/runs/${runId}/logs?follow=true`,
      BOOTSTRAP_TOKEN,
      SSE,
    );
    await events.until(() => events.frames.length > 0, 15_000);
    await logs.until(() => logs.frames.some((f) => f.event === 'log'), 15_000);
    const slow = h.request('POST', `/v1/snippets/${snippet.body.snippet_id}/runs`, {
      headers: { 'idempotency-key': key('slow') },
      body: {},
    });
    await new Promise((r) => setTimeout(r, 500)); // the request is in flight (the child server gives no signal)

    const signalled = Date.now();
    server.signal('SIGTERM');
    const exit = server.exited();

    for (const stream of [events, logs]) {
      await stream.until(() => stream.ended, 15_000);
      assert.equal(stream.error, undefined, 'the stream ended cleanly');
      const last = stream.frames.at(-1)!;
      assert.equal(last.event, 'shutdown', JSON.stringify(stream.frames.slice(-3)));
      assert.equal(last.retry, '1000');
      assert.ok('cursor' in JSON.parse(last.data!), last.data);
    }
    const finished = await slow;
    assert.equal(finished.status, 201, finished.text);
    assert.equal(finished.body.state, 'succeeded');
    assert.deepEqual(await exit, { code: 0, signal: null });
    const took = Date.now() - signalled;
    assert.ok(took < 4000 + 8000, `stopped after ${took} ms`);
    assert.match(server.output(), /shutting down/);

    await server.start();
    const run = await waitForRun(h, agent.deploymentId, runId);
    assert.equal(run.status, 'failed');
    // Settled by the stopping worker itself (recovery after a crash words it differently).
    assert.match(run.failure_reason, /^worker lost: the server stopped while the run was active/);
    const runs = await h.request('GET', `/v1/agent-deployments/${agent.deploymentId}/runs`);
    assert.equal(runs.body.items.length, 1, 'the run was not run again');
  });

  test('an open stream alone does not hold the stop: the process exits long before the grace', async () => {
    // The server of the test above was restarted; give this one a long grace.
    await server.kill();
    await server.start({ ATOLL_SHUTDOWN_GRACE_MS: '60000' });
    const events = openSse(`${server.base}/v1/agent_events:stream?follow=true`, BOOTSTRAP_TOKEN, SSE);
    await events.until(() => events.frames.length > 0, 15_000);
    const signalled = Date.now();
    server.signal('SIGINT');
    assert.deepEqual(await server.exited(), { code: 0, signal: null });
    assert.ok(Date.now() - signalled < 15_000, `stopped after ${Date.now() - signalled} ms`);
    await events.until(() => events.ended, 15_000);
    assert.equal(events.frames.at(-1)!.event, 'shutdown');
  });

  test('a second signal exits at once, non-zero, while requests still drain', async () => {
    await server.start({ ATOLL_SHUTDOWN_GRACE_MS: '60000' });
    const h = server.client;
    const snippet = await h.request('POST', '/v1/snippets', {
      body: {
        name: 'slower',
        display_type: 'json',
        code: 'async () => { const end = Date.now() + 20000; while (Date.now() < end) {} return "done"; }',
      },
    });
    const slow = h
      .request('POST', `/v1/snippets/${snippet.body.snippet_id}/runs`, { body: {} })
      .catch((error: unknown) => error);
    await new Promise((r) => setTimeout(r, 500)); // the request is in flight (the child server gives no signal)
    server.signal('SIGTERM');
    await new Promise((r) => setTimeout(r, 500)); // deliberate: SIGINT comes while the server drains
    const signalled = Date.now();
    server.signal('SIGINT');
    assert.deepEqual(await server.exited(), { code: 130, signal: null });
    assert.ok(Date.now() - signalled < 5000, `exited after ${Date.now() - signalled} ms`);
    assert.ok((await slow) instanceof Error, 'the slow request was cut');
  });
});

describe('atoll serve refuses to start, in one line, when', () => {
  let server: ChildServer;
  before(async () => {
    server = await childServer();
  });
  after(() => server.cleanup());

  test('its port is in use, and leaves nothing running or locked', async () => {
    const occupier = net.createServer();
    await new Promise<void>((resolve) => occupier.listen(server.port, '127.0.0.1', resolve));
    try {
      const res = serveOnce(server.env());
      assert.equal(res.error, undefined, 'the process exited by itself');
      assert.equal(res.status, 1, res.stderr);
      assert.equal(res.stderr, `atoll: port ${server.port} is in use (set PORT)\n`);
      assert.equal(fs.existsSync(path.join(server.dataDir, 'pglite.lock')), false, 'DATA_DIR is not locked');
    } finally {
      await new Promise((resolve) => occupier.close(resolve));
    }
  });

  test('DATA_DIR cannot be created or written, naming DATA_DIR, the path and the fix', () => {
    const dir = tempDir('atoll-datadir-');
    try {
      const file = path.join(dir, 'a-file');
      fs.writeFileSync(file, '');
      const under = serveOnce({ ...server.env(), DATA_DIR: path.join(file, 'data') });
      assert.equal(under.status, 1, under.stderr);
      assert.equal(
        under.stderr,
        `atoll: DATA_DIR ${path.join(file, 'data')} is not usable: ${file} is a file, not a directory. ` +
          'Set DATA_DIR to a directory this user can create and write (default ./data)\n',
      );
      const itself = serveOnce({ ...server.env(), DATA_DIR: file });
      assert.equal(itself.status, 1, itself.stderr);
      assert.match(
        itself.stderr,
        new RegExp(
          `^atoll: DATA_DIR ${file} is not usable: it exists and is not a directory\\. Set DATA_DIR`,
        ),
      );
      assert.doesNotMatch(under.stderr + itself.stderr, /\n\s+at /, 'no stack trace');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
