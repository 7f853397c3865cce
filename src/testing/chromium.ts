/**
 * Debian's Chromium, headless, as the browser tests and bench/console drive it (playwright-core). The
 * flags keep it from reaching out to the network this machine does not have (it would retry, many
 * connections at a time) and let it run as root.
 */
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Why browser tests cannot run on this machine, or false. */
export const noChromium =
  !fs.existsSync(CHROMIUM) && `${CHROMIUM} is not installed (apt-get install chromium)`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
