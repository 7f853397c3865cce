/**
 * The installs area in a real browser: packages, installs and their render timeline with each commit's
 * diff, a change request reviewed and accepted from its page, operations with their steps, and the empty
 * states a newcomer sees first.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../../testing/eventually.ts';
import { tempDir } from '../../testing/harness.ts';
import { git, install, publish } from '../../installs/test-fixtures.ts';
import { noBrowser, startConsole, type ConsoleFixture } from './fixture.ts';

describe('the installs console in a real browser', { skip: noBrowser }, () => {
  let f: ConsoleFixture;
  before(async () => {
    f = await startConsole({ ATOLL_JOB_POLL_MS: '50' });
  });
  after(() => f?.close());

  test('an empty workspace shows what packages, installs and change requests are and the command to start', async () => {
    const page = await f.signedIn('/packages');
    await page.getByRole('heading', { name: 'No packages yet' }).waitFor();
    assert.match(await page.locator('pre.command').innerText(), /npm exec atoll -- package publish/);
    await f.shot(page, 'installs-packages-empty');
    await page.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Installs' }).click();
    await page.getByRole('heading', { name: 'No installs yet' }).waitFor();
    assert.match(await page.locator('pre.command').innerText(), /\/v1\/installs/);
    await page
      .getByRole('navigation', { name: 'Areas' })
      .getByRole('link', { name: 'Change requests' })
      .click();
    await page.getByRole('heading', { name: 'No change requests yet' }).waitFor();
    await page.close();
  });

  test('a package, an install, a second render and its diff, a change request accepted, operations with steps', async () => {
    const { packageId } = await publish(f.h, { name: 'web-console' });
    const inst = await install(f.h, packageId, { replicas: 2 });
    const page = await f.signedIn('/packages');

    // Packages: the list, then the package with its version's source files and inputs schema.
    const pkgRow = page.getByRole('row').filter({ hasText: 'web-console' });
    await pkgRow.getByText('1.0.0').waitFor();
    assert.match(await pkgRow.innerText(), /JS program/);
    await f.shot(page, 'installs-packages');
    await pkgRow.getByRole('link', { name: 'web-console' }).click();
    await page.getByRole('heading', { name: 'web-console' }).waitFor();
    await page.getByText('1.0.0').first().click();
    await page.getByText('"replicas"').first().waitFor();
    assert.match(await page.locator('details.version').innerText(), /Artifact\s+sha256:/);
    const program = page.getByLabel('render.js', { exact: true });
    await program.getByText('export default function render(input, ctx)').waitFor();
    const files = page.getByRole('group', { name: 'Files' });
    await files.getByRole('button', { name: 'atoll.package.json' }).click();
    await page.getByLabel('atoll.package.json', { exact: true }).getByText('"name": "web-console"').waitFor();
    await files.getByRole('button', { name: 'render.js' }).click();
    await program.waitFor();
    await f.shot(page, 'installs-package');

    // Installs: the list with the state, then the install.
    await page.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Installs' }).click();
    const row = page.getByRole('row').filter({ hasText: inst.id });
    await row.getByText('healthy').waitFor();
    await row.getByRole('link', { name: 'web-console' }).waitFor();
    await f.shot(page, 'installs-list');
    await row.getByRole('link', { name: inst.id }).click();
    await page.getByRole('heading', { name: inst.id }).waitFor();
    assert.equal(await page.getByLabel('Clone command').innerText(), `git clone ${inst.clone_url}`);
    const timeline = page.getByRole('list', { name: 'Render timeline' });
    await timeline.getByText('Install 1.0.0').waitFor();
    // Logs: the server's own reason why Atoll has none.
    await page.getByText(/no connection to the cluster/).waitFor();

    // A second render from the page, with an annotation: it commits, and its diff shows the added line.
    const form = page.getByRole('form', { name: 'Render now' });
    await form.getByLabel('Commit message').fill('Label for the platform team');
    await form.getByLabel('Extra annotations (key=value, one a line)').fill('example.com/owner=platform');
    await form.getByRole('button', { name: 'Render' }).click();
    const second = timeline.getByRole('listitem').filter({ hasText: 'Label for the platform team' });
    await second.getByText('deployed').waitFor();
    assert.equal(await timeline.getByRole('listitem').count(), 2);
    await second.getByText('on main').waitFor();
    await second.getByRole('button', { name: 'Show diff' }).click();
    const added = second.locator('tr.diff-add', { hasText: 'example.com/owner: platform' });
    await added.first().waitFor();
    assert.ok((await added.count()) >= 2, 'the annotation is added to every manifest');
    await second.getByRole('region', { name: 'manifests/001-deployment-web.yaml' }).waitFor();
    await f.shot(page, 'installs-install-diff');

    // A change request: a fork of the repository, pushed to over git as the API documents.
    const open = await f.h.request('POST', '/v1/repository_change_requests', {
      body: { kind: 'user', parent_repository_id: inst.repository_id },
      headers: { 'idempotency-key': 'e2e-open' },
    });
    assert.equal(open.status, 201, open.text);
    const rcr = open.body;
    const tok = await f.h.request('POST', `/v1/repository_change_requests/${rcr.id}:createToken`, {
      body: { scope: 'write' },
      headers: { 'idempotency-key': 'e2e-token' },
    });
    assert.equal(tok.status, 201, tok.text);
    const fork = new URL(tok.body.fork_remote_url);
    const target = new URL(f.base);
    const dir = path.join(tempDir('atoll-e2e-fork-'), 'fork');
    await git(
      process.cwd(),
      'clone',
      '--quiet',
      `${target.protocol}//x:${tok.body.fork_write_token}@${target.host}${fork.pathname}`,
      dir,
    );
    await git(dir, 'config', 'user.name', 'Reviewer');
    await git(dir, 'config', 'user.email', 'reviewer@example.com');
    fs.writeFileSync(path.join(dir, 'inputs.yaml'), 'replicas: 7\n');
    await git(dir, 'commit', '--quiet', '-am', 'Seven replicas');
    await git(dir, 'push', '--quiet', 'origin', 'main');

    await page
      .getByRole('navigation', { name: 'Areas' })
      .getByRole('link', { name: 'Change requests' })
      .click();
    const crRow = page.getByRole('row').filter({ hasText: rcr.id });
    await crRow.getByText('ready').waitFor();
    await crRow.getByText('inputs change').waitFor();
    await f.shot(page, 'installs-change-requests');
    await crRow.getByRole('link', { name: rcr.id }).click();
    await page.getByRole('heading', { name: rcr.id }).waitFor();
    const changes = page.getByRole('region', { name: 'inputs.yaml' });
    await changes.locator('tr.diff-add', { hasText: 'replicas: 7' }).waitFor();
    await changes.locator('tr.diff-del', { hasText: 'replicas: 2' }).waitFor();
    await f.shot(page, 'installs-change-request');
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.getByText('Accepted: the merge runs as operation').waitFor();
    await page.getByText('This change request is').waitFor();
    await eventually(
      async () => {
        const now = await f.h.request('GET', `/v1/repository_change_requests/${rcr.id}`);
        assert.equal(now.body.state, 'ACCEPTED');
      },
      { timeoutMs: 20_000, message: 'the change request to be accepted' },
    );
    await page.locator('.badge', { hasText: 'accepted' }).first().waitFor();
    await f.shot(page, 'installs-change-request-accepted');

    // The accept's operation, with its steps, followed to its end.
    await page.getByRole('link', { name: /^op_/ }).click();
    await page.getByRole('heading', { name: /^op_/ }).waitFor();
    const steps = page.getByRole('list', { name: 'Steps' });
    await steps.getByText('render').first().waitFor();
    await page.getByText('succeeded').first().waitFor();
    await f.shot(page, 'installs-operation');

    // The operations list has them all; the install's timeline shows the merge on top, with the values' diff.
    await page.getByRole('navigation', { name: 'Areas' }).getByRole('link', { name: 'Operations' }).click();
    await page.getByRole('row').filter({ hasText: 'repository_change_request.accept' }).first().waitFor();
    await page.getByRole('row').filter({ hasText: 'install.create' }).first().waitFor();
    await f.shot(page, 'installs-operations');
    await page.goto(`${f.base}/installs/${inst.id}`);
    const merge = timeline.getByRole('listitem').first();
    await merge.getByRole('link', { name: rcr.id }).waitFor();
    await merge.getByRole('button', { name: 'Show diff' }).click();
    await merge
      .getByRole('region', { name: 'inputs.yaml' })
      .locator('tr.diff-add', { hasText: 'replicas: 7' })
      .waitFor();
    await f.shot(page, 'installs-install');

    // Every html_url the API returns opens its page (the path of it: the harness's public URL is nominal).
    const operations = (await f.h.request('GET', '/v1/operations')).body.data;
    const urls = [
      (await f.h.request('GET', `/v1/packages/${packageId}`)).body.html_url,
      (await f.h.request('GET', `/v1/installs/${inst.id}`)).body.html_url,
      (await f.h.request('GET', `/v1/repository_change_requests/${rcr.id}`)).body.html_url,
      operations[0].html_url,
    ];
    for (const url of urls) {
      const { pathname } = new URL(url);
      await page.goto(`${f.base}${pathname}`);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      assert.equal(await page.getByRole('heading', { name: 'Page not found' }).count(), 0, pathname);
      assert.equal(new URL(page.url()).pathname, pathname);
    }
    await page.close();
  });
});
