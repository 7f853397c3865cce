import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { noBrowser, startConsole, type ConsoleFixture } from './fixture.ts';

describe('the settings pages in a real browser', { skip: noBrowser }, () => {
  let f: ConsoleFixture;
  before(async () => {
    f = await startConsole();
  });
  after(() => f?.close());

  test('the workspace page shows the workspace name and id', async () => {
    const page = await f.signedIn('/settings');
    const ws = (await f.h.request('GET', `/v1/workspaces/${f.h.workspaceId}`)).body;
    await page.getByRole('heading', { name: 'Workspace', level: 2 }).waitFor();
    const props = await page.locator('dl.props').innerText();
    assert.match(props, new RegExp(`Name\\s+${ws.name}`));
    assert.match(props, new RegExp(f.h.workspaceId));
    await f.shot(page, 'settings-workspace');
    await page.close();
  });

  test('a token is created with its secret shown once, works, and is revoked', async () => {
    const page = await f.signedIn('/settings/tokens');
    const table = page.getByRole('table', { name: 'API tokens' });
    await table.waitFor();
    // The console's own token is marked.
    assert.match(
      await table.getByRole('row').filter({ hasText: 'this session' }).innerText(),
      /this session/,
    );

    await page.getByLabel('Token name').fill('e2e robot');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = page.getByRole('region', { name: 'New API token' });
    await secret.waitFor();
    assert.match(await secret.innerText(), /you will not see it again/);
    const value = await secret.getByLabel('Token value').inputValue();
    assert.ok(value.length > 20, `a token value: ${value}`);
    assert.equal(
      (await f.h.request('GET', '/v1/snippets', { token: value })).status,
      200,
      'the new token works',
    );
    await table.getByRole('cell', { name: 'e2e robot', exact: true }).waitFor();
    await f.shot(page, 'settings-token-created');

    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByLabel('Token name').waitFor();
    assert.ok(!(await page.content()).includes(value), 'the secret is gone from the page');
    await page.reload();
    await table.getByRole('cell', { name: 'e2e robot', exact: true }).waitFor();
    assert.ok(!(await page.content()).includes(value), 'and is never shown again');

    await page.getByRole('button', { name: 'Revoke e2e robot' }).click();
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    await table.getByRole('cell', { name: 'e2e robot', exact: true }).waitFor({ state: 'detached' });
    assert.equal((await f.h.request('GET', '/v1/snippets', { token: value })).status, 401, 'revoked');
    await f.shot(page, 'settings-tokens');
    await page.close();
  });

  test("the members page shows the members or, when refused, the server's message", async () => {
    const page = await f.signedIn('/settings/members');
    const direct = await f.h.request('GET', `/v1/workspaces/${f.h.workspaceId}/members`);
    await page.getByRole('heading', { name: 'Members', level: 2 }).waitFor();
    if (direct.status === 200) {
      const table = page.getByRole('table', { name: 'Members' });
      if (direct.body.data.length > 0) {
        await table.waitFor();
        assert.equal(await table.locator('tbody tr').count(), direct.body.data.length);
      } else await page.getByRole('heading', { name: 'No members' }).waitFor();
    } else {
      const alert = page.getByRole('alert');
      await alert.waitFor();
      const text = await alert.innerText();
      assert.ok(text.includes(direct.body.errors?.[0]?.message ?? direct.body.message), text);
      assert.match(text, new RegExp(`HTTP ${direct.status}`));
    }
    await f.shot(page, 'settings-members');
    await page.close();
  });
});
