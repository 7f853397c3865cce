/**
 * What every console end-to-end test stands on: a real Atoll (PGlite, or PostgreSQL with DATABASE_URL)
 * on a real socket serving the built console (built here when stale), Debian's Chromium driven by
 * playwright-core, a signed-in page, and screenshots written under test-output/console/ to look at.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, noChromium } from '../../testing/chromium.ts';
import { startHarness, type Harness } from '../../testing/harness.ts';
import { ensureConsoleBuilt, REPO_ROOT } from '../build.ts';

export const SCREENSHOTS = path.join(REPO_ROOT, 'test-output', 'console');

/** The reason to skip browser tests on this machine, or false. */
export const noBrowser = noChromium;

export type ConsoleFixture = {
  h: Harness;
  base: string;
  browser: Browser;
  /** A new page signed in with the bootstrap workspace's token, at `path` (default /). */
  signedIn(path?: string): Promise<Page>;
  /** Writes test-output/console/<name>.png (full page). */
  shot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
};

export async function startConsole(env: Record<string, string> = {}): Promise<ConsoleFixture> {
  await ensureConsoleBuilt();
  const h = await startHarness(env);
  const base = await h.listen();
  const browser = await launchChromium();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    h,
    base,
    browser,
    async signedIn(to = '/') {
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      // Two browser tests share 2 cores in CI: waits are generous, and an element that never comes still fails.
      page.setDefaultTimeout(30_000);
      await page.goto(`${base}/sign-in`);
      await page.getByLabel('Token').fill(h.token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('navigation', { name: 'Areas' }).waitFor();
      if (to !== '/') await page.goto(`${base}${to}`);
      return page;
    },
    async shot(page, name) {
      const store = process.env.DATABASE_URL ? 'postgres' : 'pglite';
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.${store}.png`), fullPage: true });
    },
    async close() {
      await browser.close();
      await h.close();
    },
  };
}
