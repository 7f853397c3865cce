import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { childServer, type ChildServer } from '../../testing/child-server.ts';
import { launchChromium } from '../../testing/chromium.ts';
import { BOOTSTRAP_TOKEN } from '../../testing/harness.ts';
import { ensureConsoleBuilt } from '../build.ts';
import { noBrowser } from './fixture.ts';

/**
 * Live pages survive a server restart: a session page open in a browser while `atoll serve` (a real
 * child process, on its store) stops gracefully and starts again on the same port keeps its stream:
 * events emitted after the restart appear, none lost or repeated; a page opened meanwhile says why.
 */
describe('the console across a server restart', { skip: noBrowser }, () => {
  let server: ChildServer;
  let browser: Browser;
  let keys = 0;
  before(async () => {
    await ensureConsoleBuilt();
    server = await childServer();
    await server.start();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  const api = async (method: string, path: string, body?: object, headers?: Record<string, string>) => {
    const res = await server.client.request(method, path, { ...(body ? { body } : {}), headers });
    assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${res.text}`);
    return res.body;
  };
  const say = (turn: string, content: string) =>
    api(
      'POST',
      `/v1/agent_turns/${turn}:emit`,
      { type: 'message', data: { content } },
      {
        'idempotency-key': `restart-${++keys}`,
      },
    );

  test('a session page keeps streaming, once each and in order, across a stop and start', async () => {
    const agent = await api('POST', '/v1/agents', {
      name: 'Restarts',
      instructions: 'x',
      capabilities: ['CHAT'],
    });
    const session = await api('POST', '/v1/agent_sessions', {
      agent_id: agent.id,
      title: 'Across a restart',
    });
    const turn = await api('POST', '/v1/agent_turns', { session_id: session.id, message: 'go' });
    await say(turn.id, 'before the restart');

    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${server.base}/sign-in`);
    await page.getByLabel('Token').fill(BOOTSTRAP_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Areas' }).waitFor();
    await page.goto(`${server.base}/sessions/${session.id}`);
    await page.getByRole('status', { name: 'Event stream: Live' }).waitFor();
    await page.locator('[data-sequence="1"]').waitFor();

    server.signal('SIGTERM'); // a graceful stop: the stream ends with its shutdown frame
    await server.exited();
    await page.getByRole('status', { name: 'Event stream: Reconnecting…' }).waitFor();
    await server.start();
    await say(turn.id, 'after the restart');
    await say(turn.id, 'and once more');
    await page.locator('[data-sequence="3"]').waitFor();
    await page.getByRole('status', { name: 'Event stream: Live' }).waitFor();
    const texts = await page.locator('[data-event-id] .message-text').allInnerTexts();
    assert.deepEqual(texts, ['before the restart', 'after the restart', 'and once more']);

    // The rest of the console works against the new process without signing in again.
    await page.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Agents' }).click();
    await page.getByRole('link', { name: 'Restarts', exact: true }).first().waitFor();
    await page.close();
  });
});
