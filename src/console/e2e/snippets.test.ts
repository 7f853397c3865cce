import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { noBrowser, startConsole, type ConsoleFixture } from './fixture.ts';

const CODE = `async (inputs) => {
  console.log('greeting', inputs.who);
  console.warn('times', inputs.times);
  return { message: 'hello ' + inputs.who, doubled: inputs.times * 2 };
}`;
const EDITED = CODE.replace("'hello '", "'hi there '");
const INPUTS = JSON.stringify([
  { key: 'who', label: 'Who', kind: 'text', required: true },
  { key: 'times', label: 'Times', kind: 'number', default: 2 },
]);

describe('the snippets pages in a real browser', { skip: noBrowser }, () => {
  let f: ConsoleFixture;
  let snippetId = '';
  before(async () => {
    f = await startConsole();
  });
  after(() => f?.close());

  test('with no snippets the list says what a snippet is and the curl that creates one', async () => {
    const page = await f.signedIn('/dashboards/snippets');
    await page.getByRole('heading', { name: 'No snippets yet' }).waitFor();
    assert.match(await page.locator('pre.command').innerText(), /curl -s -X POST .*\/v1\/snippets/);
    await f.shot(page, 'snippets-empty');
    await page.close();
  });

  test('a snippet is created from the console with its code and input schema written in the editors', async () => {
    const page = await f.signedIn('/dashboards/snippets');
    await page.getByRole('link', { name: 'New snippet' }).click();
    await page.getByLabel('Name').fill('Greeter');
    await page.getByLabel('Description').fill('Says hello to someone');
    await page.getByRole('textbox', { name: 'Code' }).fill(CODE);
    await page.getByRole('textbox', { name: 'Input schema' }).fill(INPUTS);
    await f.shot(page, 'snippets-new');
    await page.getByRole('button', { name: 'Create snippet' }).click();
    await page.waitForURL(/\/dashboards\/snippets\/snp_[a-z0-9]+$/);
    snippetId = new URL(page.url()).pathname.split('/').pop()!;
    await page.getByRole('heading', { name: 'Greeter', level: 1 }).waitFor();
    const stored = await f.h.request('GET', `/v1/snippets/${snippetId}`);
    assert.equal(stored.body.code, CODE);
    assert.deepEqual(
      stored.body.inputs.map((i: any) => i.key),
      ['who', 'times'],
    );
    await page.close();
  });

  test('editing the code saves it with if-match; a concurrent change is refused with the server message', async () => {
    const page = await f.signedIn(`/dashboards/snippets/${snippetId}`);
    const editor = page.getByRole('textbox', { name: 'Code' });
    await editor.fill(EDITED);
    await page.getByText('unsaved changes').waitFor();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const stored = await f.h.request('GET', `/v1/snippets/${snippetId}`);
    assert.equal(stored.body.code, EDITED);
    assert.equal(stored.body.etag, '2');

    // Someone else renames it while this page edits the description: the save is refused (409).
    await page.getByLabel('Description').fill('Greets');
    const other = await f.h.request('PATCH', `/v1/snippets/${snippetId}`, {
      headers: { 'if-match': '2' },
      body: { name: 'Greeter' },
    });
    assert.equal(other.status, 200);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'Not saved' });
    await refused.waitFor();
    assert.match(await refused.innerText(), /HTTP 409/);
    await page.getByRole('button', { name: 'Revert' }).click();
    await page.close();
  });

  test('a run with inputs from the generated form shows its result, console logs and stats, then is in the history', async () => {
    const page = await f.signedIn(`/dashboards/snippets/${snippetId}`);
    await page.getByRole('heading', { name: 'No runs yet' }).waitFor();
    await page.getByLabel('Who').fill('Ada');
    await page.getByLabel('Times').fill('21');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const result = page.locator('.last-run');
    await result.getByText('succeeded').waitFor();
    assert.match(
      await result.locator('pre.json').innerText(),
      /"message": "hi there Ada"[\s\S]*"doubled": 42/,
    );
    const logs = await result.getByLabel('Console output').innerText();
    assert.match(logs, /info\s+greeting Ada/);
    assert.match(logs, /warn\s+times 21/);
    assert.match(await result.innerText(), /CPU time/);
    const history = page.getByRole('table', { name: 'Run history' });
    await history.waitFor();
    assert.equal(await history.locator('tbody tr').count(), 1);
    assert.match(await history.innerText(), /succeeded[\s\S]*manual[\s\S]*"who":"Ada"/);
    await f.shot(page, 'snippets-snippet');

    // A missing required input is refused by the server (422), nothing is recorded.
    await page.getByLabel('Who').fill('');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const refused = page.getByRole('alert').filter({ hasText: 'Not run' });
    await refused.waitFor();
    assert.match(await refused.innerText(), /HTTP 422/);

    // The run's own page has the recorded output and console.
    await history.getByRole('link').first().click();
    await page.waitForURL(/\/runs\/snr_/);
    await page.getByRole('heading', { name: 'Result' }).waitFor();
    assert.match(await page.getByLabel('Console output').innerText(), /greeting Ada/);
    await f.shot(page, 'snippets-run');
    await page.close();
  });

  test('a failing run shows its error; inputs can be given as JSON', async () => {
    const page = await f.signedIn(`/dashboards/snippets/${snippetId}`);
    await page.getByRole('tab', { name: 'JSON' }).click();
    await page.getByRole('textbox', { name: 'Inputs (JSON)' }).fill('{"who": "Bob", "times": 1}');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('.last-run').getByText('"doubled": 2').waitFor();
    const runs = await f.h.request('GET', `/v1/snippets/${snippetId}/runs`);
    assert.equal(runs.body.data.length, 2);

    const broken = await f.h.request('POST', '/v1/snippets', {
      body: {
        name: 'Broken',
        display_type: 'json',
        code: "async () => { console.error('about to fail'); throw new Error('boom'); }",
      },
    });
    await page.goto(`${f.base}/dashboards/snippets/${broken.body.snippet_id}`);
    await page.getByText('This snippet declares no inputs').waitFor();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const result = page.locator('.last-run');
    await result.getByText('failed', { exact: true }).waitFor();
    assert.match(await result.getByRole('alert').innerText(), /uncaught_exception: .*boom/);
    assert.match(await result.getByLabel('Console output').innerText(), /error\s+about to fail/);
    await f.shot(page, 'snippets-failed-run');
    await page.close();
  });

  test('archiving moves a snippet to the Archived tab, read-only and not runnable', async () => {
    const page = await f.signedIn(`/dashboards/snippets/${snippetId}`);
    await page.getByRole('button', { name: 'Archive' }).click();
    await page.getByRole('button', { name: 'Yes, archive' }).click();
    await page.getByRole('status').filter({ hasText: 'Archived.' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Run', exact: true }).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Save', exact: true }).count(), 0);
    await f.shot(page, 'snippets-archived-snippet');

    await page.getByRole('link', { name: 'All snippets' }).click();
    await page.getByRole('link', { name: 'Broken' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Greeter' }).count(), 0);
    // Its usage beside it: the last run failed, one run recorded.
    assert.match(await page.getByRole('row').filter({ hasText: 'Broken' }).innerText(), /failed.*\s+1\s/);
    await f.shot(page, 'snippets-list');
    await page.getByRole('tab', { name: 'Archived' }).click();
    await page.getByRole('link', { name: 'Greeter' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Broken' }).count(), 0);
    assert.match(page.url(), /archived=true/);
    await f.shot(page, 'snippets-archived-list');
    await page.close();
  });
});
