import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { noBrowser, startConsole, type ConsoleFixture } from './fixture.ts';

describe('the console frame in a real browser', { skip: noBrowser }, () => {
  let f: ConsoleFixture;
  before(async () => {
    f = await startConsole();
  });
  after(() => f?.close());

  test('a bad token is refused with the server message; the right one signs in and shows the workspace', async () => {
    const page = await f.browser.newPage();
    await page.goto(`${f.base}/installs`);
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel('Token').fill('sk_test_nope');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /token/i);
    await f.shot(page, 'sign-in-error');
    await page.getByLabel('Token').fill(f.h.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back to the page asked for, in the bootstrap workspace.
    await page.waitForURL(/\/installs$/);
    assert.equal(await page.getByRole('combobox', { name: 'Workspace' }).inputValue(), f.h.workspaceId);
    await page.close();
  });

  test('a second workspace is added and switched to; sign out forgets both', async () => {
    const other = await f.h.newWorkspace('second');
    const page = await f.signedIn();
    await page.getByRole('combobox', { name: 'Workspace' }).selectOption('+');
    await page.waitForURL(/\/sign-in$/);
    await page.getByLabel('Token').fill(other.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Areas' }).waitFor();
    assert.equal(await page.getByRole('combobox', { name: 'Workspace' }).inputValue(), other.id);
    await page.getByRole('combobox', { name: 'Workspace' }).selectOption(f.h.workspaceId);
    assert.equal(await page.getByRole('combobox', { name: 'Workspace' }).inputValue(), f.h.workspaceId);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.reload();
    await page.waitForURL(/\/sign-in$/);
    await page.close();
  });

  test('the html_url of a snippet and of a dashboard opens its page', async () => {
    const created = await f.h.request('POST', '/v1/snippets', {
      body: { name: 'Linked', code: 'async () => 1', display_type: 'stat' },
    });
    const snippet = (await f.h.request('GET', `/v1/snippets/${created.body.snippet_id}`)).body;
    const { dashboard_id } = (await f.h.request('POST', '/v1/dashboards', { body: { name: 'Linked board' } }))
      .body;
    const dashboard = (await f.h.request('GET', `/v1/dashboards/${dashboard_id}`)).body;
    const page = await f.signedIn();
    for (const [url, heading] of [
      [snippet.html_url, 'Linked'],
      [dashboard.html_url, 'Linked board'],
    ]) {
      const { pathname } = new URL(url);
      await page.goto(`${f.base}${pathname}`);
      await page.getByRole('heading', { name: heading, exact: true }).first().waitFor();
    }
    await page.close();
  });

  test('the keyboard alone signs in and moves between areas', async () => {
    const page = await f.browser.newPage();
    await page.goto(`${f.base}/sign-in`);
    // Once the page has rendered, the token field has the focus; Enter submits.
    await page.waitForFunction('document.activeElement?.id === "token"');
    await page.keyboard.type(f.h.token);
    await page.keyboard.press('Enter');
    const areas = page.getByRole('navigation', { name: 'Areas' });
    await areas.waitFor();
    // Tab reaches the area links (after the brand and the workspace picker); Enter follows one.
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate('document.activeElement?.textContent');
      if (focused === 'Agents') break;
    }
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/agents$/);
    await page.close();
  });

  test('an unknown console path says so inside the frame', async () => {
    const page = await f.signedIn('/no/such/page');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await page.close();
  });
});
