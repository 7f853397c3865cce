/**
 * Following the log of a run or a service from its start over a real socket, while its process writes
 * more than two reads' worth of lines at once and then keeps writing slowly: every line arrives once,
 * in order, whether it was already stored when the follower read or written while it waited.
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../../testing/harness.ts';
import { openSse } from '../../testing/sse.ts';
import { deployAgent, key, runLogs, startRun, waitForRun } from '../test-fixtures.ts';

/** Prints 1,200 lines at once (more than two reads of 500), then one every 30 ms, 40 in all. */
const CHATTY = `
for (let i = 1; i <= 1200; i++) console.log('fast ' + i);
let j = 0;
const slow = setInterval(() => {
  console.log('slow ' + ++j);
  if (j === 40) { clearInterval(slow); if (process.env.PORT === undefined) return; console.log('done'); }
}, 30);
if (process.env.PORT !== undefined)
  require('node:net').createServer((s) => s.end()).listen(Number(process.env.PORT), '0.0.0.0');
`;

const expected = [
  ...Array.from({ length: 1200 }, (_, i) => `fast ${i + 1}`),
  ...Array.from({ length: 40 }, (_, i) => `slow ${i + 1}`),
];

type Line = { seq: number; stream: string; text: string };

/** The log lines of a stream's frames; checks that each frame's id is its line's seq. */
function linesOf(frames: Array<{ id?: string; event?: string; data?: string }>): Line[] {
  const lines = frames.filter((f) => f.event === 'log').map((f) => ({ id: f.id, ...JSON.parse(f.data!) }));
  for (const line of lines) assert.equal(line.id, String(line.seq));
  return lines;
}

/** The log lines of SSE frames, asserting every seq once, in order, and the stdout texts. */
function everyLineOnce(
  frames: Array<{ id?: string; event?: string; data?: string }>,
  stdout: string[],
): Line[] {
  const lines = linesOf(frames);
  assert.deepEqual(
    lines.map((l) => l.seq),
    Array.from({ length: lines.length }, (_, i) => i + 1),
    'every seq once, in order',
  );
  assert.deepEqual(
    lines.filter((l) => l.stream === 'stdout').map((l) => l.text),
    stdout,
  );
  return lines;
}

describe('following run and service logs from the start (SSE over a real socket)', () => {
  let h: Harness;
  let base: string;
  before(async () => {
    h = await startHarness();
    base = await h.listen();
  });
  after(() => h.close());

  test('a job that prints more than two pages, then slowly: every line once, in order, then the end', async () => {
    const agent = await deployAgent(h, {
      files: { 'main.js': CHATTY },
      config: { entrypoint: 'node main.js' },
    });
    const id = await startRun(h, agent.deploymentId);
    const s = openSse(
      `${base}/v1/agent-deployments/${agent.deploymentId}/runs/${id}/logs?follow=true`,
      h.token,
      {
        accept: 'text/event-stream',
      },
    );
    assert.equal(await s.ready, 200);
    await s.until(() => s.ended, 60_000);
    const lines = everyLineOnce(s.frames, expected);
    const end = s.frames.at(-1)!;
    assert.equal(end.event, 'end');
    assert.deepEqual(JSON.parse(end.data!), {
      cursor: String(lines.length),
      complete: true,
      truncated: false,
    });
    assert.equal((await waitForRun(h, agent.deploymentId, id)).status, 'succeeded');
    assert.deepEqual(
      (await runLogs(h, agent.deploymentId, id)).map((l) => [l.seq, l.text]),
      lines.map((l) => [l.seq, l.text]),
    );
  });

  test('a service that prints more than two pages, then slowly: every line once, in order, until it stops', async () => {
    const agent = await deployAgent(h, {
      files: { 'server.js': CHATTY },
      config: {
        mode: 'service',
        entrypoint: 'node server.js',
        service: { port: 9100, readiness: { type: 'tcp', timeout_seconds: 20 } as never },
      },
    });
    const services = `/v1/agent-deployments/${agent.deploymentId}/services`;
    const created = await h.request('POST', services, {
      headers: { 'idempotency-key': key('svc') },
      body: {},
    });
    assert.equal(created.status, 201, created.text);
    const s = openSse(`${base}${services}/${created.body.id}/logs?follow=true`, h.token, {
      accept: 'text/event-stream',
    });
    assert.equal(await s.ready, 200);
    await s.until(() => s.events().some((f) => f.data!.includes('"text":"done"')), 60_000);
    const stopped = await h.request('POST', `${services}/${created.body.id}/stop`);
    assert.equal(stopped.body.status, 'stopped', stopped.text);
    await s.until(() => s.ended, 30_000);
    const lines = everyLineOnce(s.frames, [...expected, 'done']);
    assert.equal(lines.at(-1)!.text, 'stopped by request');
    assert.equal(JSON.parse(s.frames.at(-1)!.data!).complete, true);
  });

  test('a follower waiting through quiet polls does not add a listener to its request per poll', async () => {
    const agent = await deployAgent(h, {
      files: { 'main.js': 'console.log("up"); setInterval(() => {}, 1000);' },
      config: { entrypoint: 'node main.js' },
    });
    const id = await startRun(h, agent.deploymentId);
    const aborted = new AbortController();
    const request = new Request(
      `http://localhost/v1/agent-deployments/${agent.deploymentId}/runs/${id}/logs?follow=true`,
      {
        headers: { authorization: `Bearer ${h.token}`, accept: 'text/event-stream' },
        signal: aborted.signal,
      },
    );
    const res = await h.atoll.app.request(request);
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('"text":"up"')) text += new TextDecoder().decode((await reader.read()).value);
    const before = getEventListeners(request.signal, 'abort').length;
    // Deliberate: the follower polls every second while nothing is written; four quiet polls go by.
    const next = reader.read();
    await new Promise((r) => setTimeout(r, 4500));
    const during = getEventListeners(request.signal, 'abort').length;
    await h.request('POST', `/v1/agent-deployments/${agent.deploymentId}/runs/${id}/cancel`);
    aborted.abort();
    await next.catch(() => {});
    assert.ok(during <= before + 1, `abort listeners grew from ${before} to ${during} over four quiet polls`);
  });
});
