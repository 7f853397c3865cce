import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { after, before, describe, test } from 'node:test';
import { noBrowser, startConsole, type ConsoleFixture } from './fixture.ts';

const SECRET = 'console-e2e-secret-0123456789abcdefghijkl';
const jwtOf = (sub: string) =>
  new SignJWT({ sub })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(SECRET));

/** Signing in with an OAuth2 JWT: every workspace its subject may act in, picked with akua-context. */
describe('the console with an OAuth2 JWT', { skip: noBrowser }, () => {
  let f: ConsoleFixture;
  before(async () => {
    f = await startConsole({ ATOLL_JWT_SECRET: SECRET });
  });
  after(() => f?.close());

  test('a JWT lists its workspaces; switching shows each one’s own data; a rename shows in the picker', async () => {
    const jwt = await jwtOf('ada');
    const made: Array<{ id: string; name: string }> = [];
    for (const name of ['Platform', 'Payments']) {
      const res = await f.h.request('POST', '/v1/workspaces', { token: jwt, body: { name } });
      assert.equal(res.status, 201, res.text);
      made.push(res.body);
    }
    // A snippet in Payments only, made by the same person through the API.
    const snippet = await f.h.request('POST', '/v1/snippets', {
      token: jwt,
      headers: { 'akua-context': made[1]!.id },
      body: { name: 'Only in Payments', code: 'async () => 1', display_type: 'stat' },
    });
    assert.equal(snippet.status, 201, snippet.text);

    const page = await f.browser.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${f.base}/sign-in`);
    await page.getByLabel('Token').fill(jwt);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const picker = page.getByRole('combobox', { name: 'Workspace' });
    await picker.waitFor();
    const options = await picker.locator('option').allInnerTexts();
    assert.deepEqual(options.slice(0, -1).sort(), ['Payments', 'Platform']);

    await picker.selectOption(made[0]!.id);
    await page.goto(`${f.base}/dashboards/snippets`);
    await page.getByRole('heading', { name: /No snippets yet/ }).waitFor();
    await picker.selectOption(made[1]!.id);
    await page.goto(`${f.base}/dashboards/snippets`);
    await page.getByRole('link', { name: 'Only in Payments' }).waitFor();

    await page.goto(`${f.base}/settings`);
    await page.getByLabel('Name').fill('Payments EU');
    await page.getByRole('button', { name: 'Save' }).click();
    await picker.locator('option', { hasText: 'Payments EU' }).waitFor({ state: 'attached' });
    assert.equal(
      (await f.h.request('GET', `/v1/workspaces/${made[1]!.id}`, { token: jwt })).body.name,
      'Payments EU',
    );
    await f.shot(page, 'settings-jwt-workspaces');
    await page.close();
  });
});
