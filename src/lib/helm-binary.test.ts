/**
 * Finding helm (ATOLL_HELM, PATH, the installed cache) with real files in temporary directories, the
 * version check against small scripts that print what a helm would, and installHelm end to end: the real
 * npm package read from npm's local cache (npm runs offline here, so the test sends no traffic), the real
 * zip entry extracted, and the result run. The offline install is skipped when npm's cache lacks the
 * package, which `npm ci` fills on a machine without helm (or `npm cache add` of HELM_NPM_PACKAGE).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { tempDir } from '../testing/harness.ts';
import {
  findHelm,
  HELM_NPM_PACKAGE,
  HELM_VERSION,
  helmCachePath,
  helmVersion,
  installHelm,
  isExpectedHelmVersion,
  verifyHelm,
} from './helm-binary.ts';

/** A directory holding an executable `helm` script that prints `version`. */
function fakeHelm(version: string, mode = 0o755): string {
  const dir = tempDir('atoll-fake-helm-');
  fs.writeFileSync(path.join(dir, 'helm'), `#!/bin/sh\necho '${version}'\n`, { mode });
  return dir;
}

const cacheOrNothing = () => (fs.existsSync(helmCachePath()) ? helmCachePath() : undefined);

describe('findHelm', () => {
  test('ATOLL_HELM wins over PATH, and is returned even when it is not an executable file', () => {
    const onPath = fakeHelm('v4.1.4');
    assert.equal(findHelm({ ATOLL_HELM: '/opt/helm', PATH: onPath }), '/opt/helm');
    const notExecutable = path.join(fakeHelm('v4.1.4', 0o644), 'helm');
    assert.equal(findHelm({ ATOLL_HELM: notExecutable, PATH: onPath }), notExecutable);
  });

  test('takes the first executable helm on PATH, passing over a non-executable file and a directory', () => {
    const notExecutable = fakeHelm('v0.0.1', 0o644);
    const directory = tempDir('atoll-helm-dir-');
    fs.mkdirSync(path.join(directory, 'helm'));
    const first = fakeHelm('v4.1.4');
    const second = fakeHelm('v4.1.4');
    const PATH = [notExecutable, '', directory, first, second].join(path.delimiter);
    assert.equal(findHelm({ PATH }), path.join(first, 'helm'));
  });

  test('with nothing on PATH it is the installed cache copy when there is one, else undefined', () => {
    assert.equal(findHelm({ PATH: tempDir('atoll-empty-path-') }), cacheOrNothing());
    assert.equal(findHelm({}), cacheOrNothing());
  });
});

describe('helm version check', () => {
  test('accepts the expected release with or without a commit suffix, and nothing else', async () => {
    assert.equal(
      await verifyHelm(path.join(fakeHelm(`v${HELM_VERSION}+g05fa379`), 'helm')),
      `v${HELM_VERSION}+g05fa379`,
    );
    assert.ok(isExpectedHelmVersion(`v${HELM_VERSION}`));
    assert.ok(!isExpectedHelmVersion(`v${HELM_VERSION}0`));
    await assert.rejects(verifyHelm(path.join(fakeHelm('v3.14.0+g1234'), 'helm')), {
      name: 'HelmInstallError',
      message: /reports "v3.14.0\+g1234", expected v4.1.4/,
    });
  });

  test('a helm that does not run is a HelmInstallError naming its path', async () => {
    const missing = path.join(tempDir('atoll-no-helm-'), 'helm');
    await assert.rejects(helmVersion(missing), { name: 'HelmInstallError', message: new RegExp(missing) });
  });
});

describe('installHelm', () => {
  test('extracts helm from the npm package (offline, from npm’s cache), verifies it, and reuses it', async (ctx) => {
    const root = tempDir('atoll-helm-root-');
    const saved = { offline: process.env.npm_config_offline, path: process.env.PATH };
    process.env.npm_config_offline = 'true';
    try {
      let installed: string;
      try {
        installed = await installHelm({ root });
      } catch (error) {
        if (/ENOTCACHED/.test((error as Error).message)) {
          return ctx.skip(`the helm npm package is not in npm’s cache (npm cache add ${HELM_NPM_PACKAGE})`);
        }
        throw error;
      }
      assert.equal(installed, helmCachePath(root));
      assert.equal(fs.statSync(installed).mode & 0o777, 0o755);
      assert.ok(isExpectedHelmVersion(await helmVersion(installed)));
      assert.deepEqual(fs.readdirSync(path.dirname(installed)), ['helm'], 'no partial file left behind');
      // A second install finds the binary there and does not run npm at all (there is no npm on this PATH).
      process.env.PATH = tempDir('atoll-empty-path-');
      assert.equal(await installHelm({ root }), installed);
    } finally {
      for (const [key, value] of [
        ['npm_config_offline', saved.offline],
        ['PATH', saved.path],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
