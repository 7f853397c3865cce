import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../testing/chromium.ts';
import { startHarness, type Harness } from '../testing/harness.ts';

/** A real browser's EventSource on the stream (Debian's chromium; .ci/run installs it). */
describe(
  'a browser EventSource on the event stream',
  { skip: !fs.existsSync(CHROMIUM) && `${CHROMIUM} is not installed` },
  () => {
    let h: Harness;
    let browser: Browser;
    before(async () => {
      h = await startHarness();
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
      await h.close();
    });

    test('shows events live, authenticated with access_token, and resumes after a reconnect', async () => {
      const base = await h.listen();
      const agent = (
        await h.request('POST', '/v1/agents', {
          body: { name: 'b', instructions: 'x', capabilities: ['CHAT'] },
        })
      ).body.id;
      const session = (await h.request('POST', '/v1/agent_sessions', { body: { agent_id: agent } })).body.id;
      const turn = (
        await h.request('POST', '/v1/agent_turns', { body: { session_id: session, message: 'go' } })
      ).body.id;
      const page = await browser.newPage();
      await page.goto(`${base}/healthz`);
      await page.evaluate(
        ({ url }) => {
          const w = globalThis as unknown as { received: string[]; source: EventSource };
          w.received = [];
          w.source = new EventSource(url);
          w.source.addEventListener('message.created', (e) =>
            w.received.push(JSON.parse((e as MessageEvent).data).data.content),
          );
        },
        { url: `${base}/v1/agent_events:stream?follow=true&session=${session}&access_token=${h.token}` },
      );
      // No signal in the page tells that the stream is attached; this makes it likely before the emits.
      await new Promise((r) => setTimeout(r, 300));
      for (const content of ['one', 'two', 'three']) {
        const res = await h.request('POST', `/v1/agent_turns/${turn}:emit`, {
          headers: { 'idempotency-key': content },
          body: { data: { content } },
        });
        assert.equal(res.status, 201);
      }
      const received = () => page.evaluate(() => (globalThis as unknown as { received: string[] }).received);
      await page.waitForFunction(
        () => (globalThis as unknown as { received: string[] }).received.length === 3,
        undefined,
        { timeout: 5000 },
      );
      assert.deepEqual(await received(), ['one', 'two', 'three']);

      // The connection drops; the browser reconnects by itself with Last-Event-ID and misses nothing.
      h.dropConnections();
      for (const content of ['four', 'five']) {
        await h.request('POST', `/v1/agent_turns/${turn}:emit`, {
          headers: { 'idempotency-key': content },
          body: { data: { content } },
        });
      }
      await page.waitForFunction(
        () => (globalThis as unknown as { received: string[] }).received.length >= 5,
        undefined,
        { timeout: 10_000 },
      );
      await new Promise((r) => setTimeout(r, 300)); // deliberate window: no event may arrive twice
      assert.deepEqual(
        await received(),
        ['one', 'two', 'three', 'four', 'five'],
        'each event once, in order',
      );
      await page.close();
    });
  },
);
