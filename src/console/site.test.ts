import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../http/context.ts';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../testing/harness.ts';
import { ensureConsoleBuilt } from './build.ts';
import { createConsoleSite } from './site.ts';

describe('the console site', () => {
  let h: Harness;
  before(async () => {
    await ensureConsoleBuilt();
    h = await startHarness();
  });
  after(() => h.close());

  test('without a build, pages say how to make one (or that one is running), and reload while it runs', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-console-'));
    try {
      let pending: string | undefined;
      const app = new OpenAPIHono<AppEnv>();
      createConsoleSite({ dist: empty, pending: () => pending }).register(app);
      const missing = await app.request('/installs/x', { headers: { accept: 'text/html' } });
      assert.equal(missing.status, 503);
      const text = await missing.text();
      assert.match(text, /npm run console:build/);
      assert.doesNotMatch(text, /http-equiv="refresh"/);
      pending = 'The console is being built';
      const building = await app.request('/', { headers: { accept: 'text/html' } });
      assert.equal(building.status, 503);
      assert.match(
        await building.text(),
        /The console is being built.*http-equiv="refresh"|http-equiv="refresh".*The console is being built/s,
      );
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  test('GET / and every html_url path answer the console page, without cache', async () => {
    for (const path of [
      '/',
      '/installs/inst_x',
      '/dashboards/snippets/snp_x',
      '/repository_change_requests/x',
    ]) {
      const res = await h.request('GET', path, { token: null, headers: { accept: 'text/html' } });
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.match(res.text, /<div id="root"><\/div>/);
    }
  });

  test('assets are immutable and gzipped when accepted', async () => {
    const page = (await h.request('GET', '/', { token: null })).text;
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(page)?.[1];
    assert.ok(script, page);
    const res = await h.request('GET', script, { token: null, headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    const plain = await h.request('GET', script, { token: null });
    assert.equal(plain.headers.get('content-encoding'), null);
    assert.match(plain.headers.get('content-type') ?? '', /text\/javascript/);
    const missing = await h.request('GET', '/assets/nope-123.js', { token: null });
    assert.equal(missing.status, 404);
  });

  test('the API, git, /docs and health keep their answers', async () => {
    const api = await h.request('GET', '/v1/nope', { token: null, headers: { accept: 'text/html' } });
    assert.equal(api.status, 404);
    assert.equal(api.body.success, false);
    assert.equal((await h.request('GET', '/healthz', { token: null })).body.status, 'ok');
    assert.match((await h.request('GET', '/docs', { token: null })).text, /Atoll API reference/);
    const json = await h.request('GET', '/elsewhere', {
      token: null,
      headers: { accept: 'application/json' },
    });
    assert.equal(json.status, 404);
    assert.equal(json.body.success, false);
  });
});
