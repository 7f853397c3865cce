/**
 * bench/console: the web console's first load, on PGlite, in Debian's headless Chromium.
 *  (1) initial JS: the entry script and what index.html preloads (what a first page load must fetch
 *      before anything shows), gzipped as the server sends it; beside it the CSS and all chunks.
 *  (2) initial page load on localhost: a new browser context (empty cache) signed in, navigating to
 *      `/`, until the overview's heading is visible, and until every widget of the overview (the
 *      recommended platform metrics) is resolved and drawn; with DOMContentLoaded and load.
 * Floor, measured in the same run: the same browser loading a 200-byte HTML page from a bare node:http
 * server on loopback (what any page load costs here). Goals (issue 16): initial JS ≤ 300 KB gzipped,
 * initial page load ≤ 1 s.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../src/testing/chromium.ts';
import { CONSOLE_DIST, ensureConsoleBuilt } from '../src/console/build.ts';
import { machineLine, percentile, table } from './_machine.ts';
import { BENCH_TOKEN, benchCall, startBenchServer } from './_server.ts';

const LOADS = Number(process.env.BENCH_ROUNDS ?? 15);
const WARMUP = 2;
const TARGET_JS_KB = 300;
const TARGET_LOAD_MS = 1000;

const kb = (n: number) => (n / 1024).toFixed(1);
const gz = (file: string) => gzipSync(fs.readFileSync(path.join(CONSOLE_DIST, file)), { level: 9 }).length;

function bundleSizes() {
  const html = fs.readFileSync(path.join(CONSOLE_DIST, 'index.html'), 'utf8');
  const initial = [
    ...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g),
  ].map((m) => m[1]!);
  const css = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="\/([^"]+\.css)"/g)].map((m) => m[1]!);
  const all = fs.readdirSync(path.join(CONSOLE_DIST, 'assets')).filter((f) => f.endsWith('.js'));
  const sum = (files: string[]) => files.reduce((n, f) => n + gz(f), 0);
  return {
    initialFiles: initial.length,
    initialJs: sum(initial),
    css: sum(css),
    chunks: all.length,
    allJs: sum(all.map((f) => `assets/${f}`)),
  };
}

async function launch(): Promise<Browser> {
  return launchChromium();
}

type Load = { visible: number; drawn: number; dcl: number; load: number };

async function consoleLoads(
  browser: Browser,
  url: string,
  workspaceId: string,
  widgets: number,
): Promise<Load[]> {
  const session = JSON.stringify({
    credentials: [{ token: BENCH_TOKEN, kind: 'token', workspaces: [{ id: workspaceId, name: 'default' }] }],
    active: { workspaceId, token: BENCH_TOKEN },
  });
  const loads: Load[] = [];
  for (let i = 0; i < WARMUP + LOADS; i++) {
    const context = await browser.newContext();
    await context.addInitScript((value) => sessionStorage.setItem('atoll.session', value), session);
    const page = await context.newPage();
    const start = performance.now();
    await page.goto(`${url}/`, { waitUntil: 'commit' });
    await page.locator('main h1').first().waitFor({ state: 'visible', timeout: 30_000 });
    const visible = performance.now() - start;
    // Every widget of the overview resolved and drawn (charts included): none loading, each with content.
    await page.waitForFunction(
      `(() => {
        const bodies = [...document.querySelectorAll('.widget .widget-body')];
        return bodies.length === ${widgets} && !document.querySelector('.widget-loading') &&
          bodies.every((b) => b.getAttribute('aria-busy') === 'false' && b.childElementCount > 0);
      })()`,
      undefined,
      { timeout: 30_000 },
    );
    const drawn = performance.now() - start;
    await page.waitForLoadState('load');
    // Runs in the page: Navigation Timing, relative to the navigation's start.
    const timing = (await page.evaluate(
      'JSON.parse(JSON.stringify(performance.getEntriesByType("navigation")[0]))',
    )) as { domContentLoadedEventEnd: number; loadEventEnd: number };
    await context.close();
    if (i >= WARMUP)
      loads.push({ visible, drawn, dcl: timing.domContentLoadedEventEnd, load: timing.loadEventEnd });
  }
  return loads;
}

async function floorLoads(browser: Browser): Promise<number[]> {
  const body = '<!doctype html><html><head><title>floor</title></head><body><h1>floor</h1></body></html>';
  const server = http.createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(body));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const times: number[] = [];
  try {
    for (let i = 0; i < WARMUP + LOADS; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const start = performance.now();
      await page.goto(url, { waitUntil: 'commit' });
      await page.locator('h1').waitFor({ state: 'visible' });
      const ms = performance.now() - start;
      await context.close();
      if (i >= WARMUP) times.push(ms);
    }
  } finally {
    server.close();
  }
  return times;
}

const p = (values: number[], q: number) =>
  percentile(
    [...values].sort((a, b) => a - b),
    q,
  );

await ensureConsoleBuilt((line) => console.log(line));
const sizes = bundleSizes();
const server = await startBenchServer('pglite', { LOG_LEVEL: 'warn', ATOLL_CONSOLE_BUILD: 'off' });
const browser = await launch();
try {
  const workspaceId: string = (await benchCall('GET', `${server.url}/v1/workspaces`)).data[0].id;
  // The overview with the recommended platform metrics (4 widgets, bar charts and a meter).
  const overview = await benchCall('GET', `${server.url}/v1/dashboards/workspace_overview`);
  const reset = await fetch(`${server.url}/v1/dashboards/${overview.id}:resetToRecommended`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${BENCH_TOKEN}`,
      'if-match': overview.etag,
      'idempotency-key': `bench-${Date.now()}`,
    },
  });
  if (!reset.ok) throw new Error(`resetToRecommended: ${reset.status} ${await reset.text()}`);
  const widgets: number = (await benchCall('GET', `${server.url}/v1/dashboards/${overview.id}`)).widgets
    .length;
  const floor = await floorLoads(browser);
  const loads = await consoleLoads(browser, server.url, workspaceId, widgets);
  console.log(`bench/console — ${new Date().toISOString()}`);
  console.log(machineLine());
  console.log(
    `chromium headless, a new context (empty cache) per load, ${LOADS} loads after ${WARMUP} warm-up\n`,
  );
  console.log(
    table(
      ['bundle (gzip -9, as served)', 'KB', 'goal'],
      [
        [
          `initial JS (${sizes.initialFiles} files: entry + modulepreload)`,
          kb(sizes.initialJs),
          `≤ ${TARGET_JS_KB}`,
        ],
        ['CSS', kb(sizes.css), ''],
        [`all JS (${sizes.chunks} chunks, loaded as pages open)`, kb(sizes.allJs), ''],
      ],
    ),
  );
  console.log();
  const row = (name: string, values: number[], goal = '') => [
    name,
    p(values, 50).toFixed(1),
    p(values, 90).toFixed(1),
    p(values, 99).toFixed(1),
    goal,
  ];
  console.log(
    table(
      ['page load on localhost (ms)', 'p50', 'p90', 'max', 'goal'],
      [
        row(
          'console: / signed in → overview heading visible',
          loads.map((l) => l.visible),
          `≤ ${TARGET_LOAD_MS}`,
        ),
        row(
          `console: / → all ${widgets} overview widgets resolved and drawn`,
          loads.map((l) => l.drawn),
        ),
        row(
          'console: DOMContentLoaded',
          loads.map((l) => l.dcl),
        ),
        row(
          'console: load event',
          loads.map((l) => l.load),
        ),
        row('floor: 200-byte HTML from bare node:http → h1 visible', floor),
      ],
    ),
  );
  const ok =
    sizes.initialJs <= TARGET_JS_KB * 1024 &&
    p(
      loads.map((l) => l.visible),
      50,
    ) <= TARGET_LOAD_MS;
  console.log(`\n${ok ? 'within' : 'OUTSIDE'} the goals`);
} finally {
  await browser.close();
  await server.stop();
}
