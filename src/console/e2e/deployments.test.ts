import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { deployAgent, key, startRun, waitForRun } from '../../deployments/test-fixtures.ts';
import { noBrowser, startConsole, type ConsoleFixture } from './fixture.ts';

/** A job that logs three lines, waits for the test to release it, logs five more and writes a report. */
const JOB = `
const fs = require('node:fs');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  console.log('line 1');
  await sleep(60);
  console.log('line 2');
  await sleep(60);
  console.error('warn 3');
  while (!fs.existsSync('release')) await sleep(40);
  for (let i = 4; i <= 8; i++) {
    await sleep(150);
    (i === 6 ? console.error : console.log)('line ' + i);
  }
  fs.mkdirSync('out', { recursive: true });
  fs.writeFileSync('out/report.txt', 'report of ' + process.env.ATOLL_RUN_ID + ' \\u2713\\n');
})();
`;

const SERVER = `
const http = require('node:http');
http
  .createServer((req, res) => {
    if (req.url === '/health') return void res.end('ok');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ hello: 'from the sandbox', url: req.url, auth: req.headers.authorization ?? null }));
  })
  .listen(Number(process.env.PORT), '0.0.0.0', () => console.log('listening on ' + process.env.PORT));
`;

/** The non-platform lines of the log on the page: [stream, text] in order, with their seqs. */
async function shownLines(page: Page) {
  return page
    .getByRole('log')
    .locator('.log-line')
    .evaluateAll((rows) =>
      rows.map((r) => ({
        seq: Number(r.getAttribute('data-seq')),
        stream: r.querySelector('.stream')!.textContent,
        text: r.querySelector('.text')!.textContent,
      })),
    );
}

describe('the deployments pages in a real browser', { skip: noBrowser }, () => {
  let f: ConsoleFixture;
  before(async () => {
    f = await startConsole({ ATOLL_SANDBOX_CAPACITY: '8' });
  });
  after(() => f?.close());

  const release = (sandboxId: string) =>
    fs.writeFileSync(path.join(f.h.config.dataDir, 'sandboxes', sandboxId, 'work', 'release'), '');

  test('with no deployment the list tells a newcomer the command that deploys one', async () => {
    const page = await f.signedIn('/deployments');
    await page.getByRole('heading', { name: 'No deployments yet' }).waitFor();
    assert.match(await page.locator('pre.command').innerText(), /npm exec atoll -- agent deploy/);
    await f.shot(page, 'deployments-empty');
    await page.close();
  });

  test('a run’s log streams live, once each and in order across a dropped connection; its output downloads', async () => {
    const job = await deployAgent(f.h, {
      name: 'report-job',
      files: { 'main.js': JOB, '.env': 'SECRET=1', 'README.md': '# report job' },
      config: { entrypoint: 'node main.js', outputs: { paths: ['out', 'missing.txt'] } },
    });
    const runId = await startRun(f.h, job.deploymentId, { input: { who: 'e2e' } });
    const page = await f.signedIn(`/deployments/${job.deploymentId}/runs/${runId}`);
    const log = page.getByRole('log', { name: 'Run log' });
    await log.getByText('warn 3').waitFor();
    // Live: the first lines are there while the run still waits for its release.
    assert.deepEqual(
      (await shownLines(page)).filter((l) => l.stream !== 'atoll').map((l) => [l.stream, l.text]),
      [
        ['stdout', 'line 1'],
        ['stdout', 'line 2'],
        ['stderr', 'warn 3'],
      ],
    );
    await page.getByRole('button', { name: 'Cancel run' }).waitFor();
    assert.match(await page.getByRole('status').first().innerText(), /Following/);
    await f.shot(page, 'deployments-run-live');

    // Every connection drops (the log stream among them); the page resumes after the last line it has.
    f.h.dropConnections();
    await page.getByText(/^Reconnecting/).waitFor();
    await page
      .getByRole('status')
      .filter({ hasText: /Following · 3 lines$/ })
      .waitFor();
    const running = await waitForRun(f.h, job.deploymentId, runId, (r) => r.sandbox_id !== null);
    release(running.sandbox_id);
    await page.getByText(/^Ended · \d+ lines$/).waitFor({ timeout: 30_000 });
    const lines = await shownLines(page);
    assert.deepEqual(
      lines.filter((l) => l.stream !== 'atoll').map((l) => [l.stream, l.text]),
      [
        ['stdout', 'line 1'],
        ['stdout', 'line 2'],
        ['stderr', 'warn 3'],
        ['stdout', 'line 4'],
        ['stdout', 'line 5'],
        ['stderr', 'line 6'],
        ['stdout', 'line 7'],
        ['stdout', 'line 8'],
      ],
    );
    const seqs = lines.map((l) => l.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
      'in order',
    );
    assert.equal(new Set(seqs).size, seqs.length, 'each line once');
    const served = await f.h.request(
      'GET',
      `/v1/agent-deployments/${job.deploymentId}/runs/${runId}/logs?limit=200`,
    );
    assert.deepEqual(
      seqs,
      served.body.items.map((l: any) => l.seq),
      'every line the API has',
    );

    // The run ended: state, exit, no Cancel, the output listed and downloadable with the credential.
    const details = page.getByRole('region', { name: 'Run details' });
    await details.getByText('succeeded').waitFor();
    assert.match(await details.innerText(), /Exit code\s+0/);
    assert.equal(await page.getByRole('button', { name: 'Cancel run' }).count(), 0);
    const button = page.getByRole('button', { name: 'Download out/report.txt' });
    await button.waitFor();
    assert.match(await page.getByText('Declared but missing:').innerText(), /missing\.txt/);
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    assert.equal(download.suggestedFilename(), 'report.txt');
    const saved = await download.path();
    assert.equal(fs.readFileSync(saved, 'utf8'), `report of ${runId} \u2713\n`);
    await f.shot(page, 'deployments-run-ended');

    // The deployment lists the run and the version; the version shows what its bundle left out and why.
    await page.getByRole('link', { name: 'report-job' }).click();
    await page.getByRole('heading', { name: 'report-job' }).waitFor();
    await page.getByRole('link', { name: runId }).waitFor();
    await f.shot(page, 'deployments-deployment');
    await page.getByRole('link', { name: 'v1' }).click();
    await page.getByRole('heading', { name: /Version 1/ }).waitFor();
    const rows = page.getByRole('table').locator('tbody tr');
    const manifestRows = () =>
      rows.evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent)),
      );
    assert.deepEqual(await manifestRows(), [
      ['−', '.env', 'default exclude .env'],
      ['+', 'README.md', 'not excluded'],
      ['+', 'main.js', 'not excluded'],
    ]);
    await page.getByLabel('Show').selectOption('excluded');
    assert.deepEqual(await manifestRows(), [['−', '.env', 'default exclude .env']]);
    await f.shot(page, 'deployments-version');

    await page.goto(`${f.base}/deployments`);
    await page.getByRole('link', { name: 'report-job' }).waitFor();
    await f.shot(page, 'deployments-list');
    await page.close();
  });

  test('a run started from the deployment page opens, and Cancel run ends it as cancelled', async () => {
    const job = await deployAgent(f.h, {
      name: 'cancel-me',
      files: { 'main.js': JOB },
      config: { entrypoint: 'node main.js', env: { optional: ['API_KEY'] } },
    });
    const page = await f.signedIn(`/deployments/${job.deploymentId}`);
    await page.getByRole('button', { name: 'Start run…' }).click();
    await page.getByLabel(/^Input/).fill('{"who": "the form"}');
    await page.getByLabel(/^Envs/).fill('API_KEY=not-in-any-log');
    await page.getByRole('button', { name: 'Start run', exact: true }).click();
    await page.waitForURL(/\/runs\/adrun_/);
    const runId = page.url().split('/').pop()!;
    assert.match(await page.getByRole('region', { name: 'Input' }).innerText(), /"who": "the form"/);
    await page.getByRole('log').getByText('line 1').waitFor();
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.getByRole('region', { name: 'Run details' }).getByText('cancelled', { exact: true }).waitFor();
    await page.getByText(/^Ended · \d+ lines$/).waitFor();
    assert.equal((await waitForRun(f.h, job.deploymentId, runId)).status, 'cancelled');
    await page.getByRole('link', { name: 'cancel-me' }).click();
    await page.getByRole('link', { name: runId }).waitFor();
    await page.getByRole('button', { name: 'Start run…' }).click();
    await page.getByLabel(/^Input/).fill('[1, 2]');
    await page.getByRole('button', { name: 'Start run', exact: true }).click();
    assert.match(await page.getByRole('alert').innerText(), /input must be a JSON object/);
    await f.shot(page, 'deployments-start-run');
    await page.close();
  });

  test('a service page shows its state and log, answers through the proxy, and stops', async () => {
    const svc = await deployAgent(f.h, {
      name: 'echo-service',
      files: { 'server.js': SERVER },
      config: {
        mode: 'service',
        entrypoint: 'node server.js',
        service: { port: 8000, readiness: { type: 'http', path: '/health', timeout_seconds: 30 } as never },
      },
    });
    const created = await f.h.request('POST', `/v1/agent-deployments/${svc.deploymentId}/services`, {
      headers: { 'idempotency-key': key('svc') },
      body: {},
    });
    assert.equal(created.status, 201, created.text);
    const serviceId = created.body.id as string;
    const page = await f.signedIn(`/deployments/${svc.deploymentId}/services/${serviceId}`);
    await page
      .getByRole('log', { name: 'Service log' })
      .getByText('listening on 8000')
      .waitFor({ timeout: 30_000 });
    const details = page.getByRole('region', { name: 'Service details' });
    await details.getByText('ready', { exact: true }).waitFor({ timeout: 30_000 });
    await page.getByLabel('Path').fill('/hello?x=1');
    await page.getByRole('button', { name: 'Send' }).click();
    const answer = page.getByRole('region', { name: 'Proxy answer' });
    await answer.getByText('HTTP 200').waitFor();
    const body = JSON.parse(await answer.locator('pre').innerText());
    assert.deepEqual(body, { hello: 'from the sandbox', url: '/hello?x=1', auth: null });
    await f.shot(page, 'deployments-service');
    await page.getByRole('button', { name: 'Stop' }).click();
    await details.getByText('stopped', { exact: true }).waitFor();
    await page.getByText(/^Ended · \d+ lines$/).waitFor();
    // A restart starts generation 1; the ended log picks up again after its last line.
    await page.getByRole('button', { name: 'Restart' }).click();
    await details.getByText('ready', { exact: true }).waitFor({ timeout: 30_000 });
    await page
      .getByRole('log')
      .getByText(/^restart 1/)
      .waitFor();
    await page
      .getByRole('status')
      .filter({ hasText: /Following/ })
      .waitFor();
    const texts = (await shownLines(page)).map((l) => l.text);
    assert.equal(texts.filter((t) => t === 'listening on 8000').length, 2, texts.join('\n'));
    const seqs = (await shownLines(page)).map((l) => l.seq);
    assert.equal(new Set(seqs).size, seqs.length, 'each line once');
    await page.getByRole('button', { name: 'Stop' }).click();
    await details.getByText('stopped', { exact: true }).waitFor();
    await page.goto(`${f.base}/deployments/${svc.deploymentId}`);
    await page.getByRole('link', { name: serviceId }).waitFor();
    await f.shot(page, 'deployments-service-deployment');
    await page.close();
  });

  test('a deployment is deleted from its page after typing its name: its run is cancelled, the list drops it', async () => {
    const job = await deployAgent(f.h, {
      name: 'doomed-job',
      files: { 'main.js': JOB },
      config: { entrypoint: 'node main.js' },
    });
    const runId = await startRun(f.h, job.deploymentId);
    // The job waits for a release that never comes: it is still running when the deployment goes.
    await waitForRun(f.h, job.deploymentId, runId, (r) => r.status === 'running');
    const page = await f.signedIn(`/deployments/${job.deploymentId}`);
    await page.getByRole('link', { name: runId }).waitFor();
    await page.getByRole('button', { name: 'Delete deployment…' }).click();
    const confirm = page.getByRole('form', { name: 'Delete deployment' });
    assert.match(await confirm.innerText(), /queued and running runs are cancelled/);
    assert.match(await confirm.innerText(), /soft delete/);
    const yes = confirm.getByRole('button', { name: 'Delete deployment', exact: true });
    const typed = confirm.getByLabel('Type doomed-job to confirm');
    await typed.fill('doomed-jo');
    assert.equal(await yes.isDisabled(), true, 'a name that does not match deletes nothing');
    // Cancel closes the step and deletes nothing.
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    assert.equal(
      (await f.h.request('GET', `/v1/agent-deployments/${job.deploymentId}`)).body.status,
      'active',
    );

    await page.getByRole('button', { name: 'Delete deployment…' }).click();
    await typed.fill('doomed-job');
    await f.shot(page, 'deployments-delete-confirm');
    await yes.click();
    await page.waitForURL(/\/deployments$/);
    await page.getByRole('link', { name: 'report-job' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'doomed-job' }).count(), 0);

    const deleted = await f.h.request('GET', `/v1/agent-deployments/${job.deploymentId}`);
    assert.equal(deleted.body.status, 'deleted');
    assert.ok(deleted.body.deleted_at);
    const live = await f.h.request('GET', '/v1/agent-deployments?limit=200');
    assert.ok(!live.body.items.some((d: any) => d.id === job.deploymentId), 'not among live deployments');
    assert.equal((await waitForRun(f.h, job.deploymentId, runId)).status, 'cancelled');

    // The list shows it under the deleted filter; its page says deleted and offers no second delete.
    await page.getByLabel('Status').selectOption('deleted');
    await page.getByRole('link', { name: 'doomed-job' }).click();
    await page
      .getByRole('heading', { name: /doomed-job/ })
      .getByText('deleted')
      .waitFor();
    await page.getByRole('link', { name: runId }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Delete deployment…' }).count(), 0);
    await f.shot(page, 'deployments-deleted');
    await page.close();
  });

  test('the deployments list pages by the API’s cursor', async () => {
    for (let i = 0; i < 50; i++) {
      const res = await f.h.request('POST', '/v1/agent-deployments', {
        headers: { 'idempotency-key': key('many') },
        body: { name: `many-${String(i).padStart(2, '0')}`, mode: 'job' },
      });
      assert.equal(res.status, 201, res.text);
    }
    const page = await f.signedIn('/deployments');
    const rows = page.getByRole('table').locator('tbody tr');
    await page.getByRole('link', { name: 'many-49' }).waitFor();
    assert.equal(await rows.count(), 50);
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.getByRole('link', { name: 'report-job' }).waitFor();
    assert.ok((await rows.count()) > 50);
    await page.close();
  });
});
