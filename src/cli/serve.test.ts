import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempDir } from '../testing/harness.ts';
import { childServer, MAIN, type ChildServer } from '../testing/child-server.ts';

/** `atoll serve` run to its end (it is expected to fail at start-up). */
function serveOnce(env: Record<string, string>) {
  return spawnSync(process.execPath, [MAIN, 'serve'], { encoding: 'utf8', env, timeout: 60_000 });
}

describe('atoll serve refuses to start, in one line, when', () => {
  let server: ChildServer;
  before(async () => {
    server = await childServer();
  });
  after(() => server.cleanup());

  test('its port is in use, and leaves nothing running or locked', async () => {
    const occupier = net.createServer();
    await new Promise<void>((resolve) => occupier.listen(server.port, '127.0.0.1', resolve));
    try {
      const res = serveOnce(server.env());
      assert.equal(res.error, undefined, 'the process exited by itself');
      assert.equal(res.status, 1, res.stderr);
      assert.equal(res.stderr, `atoll: port ${server.port} is in use (set PORT)\n`);
      assert.equal(fs.existsSync(path.join(server.dataDir, 'pglite.lock')), false, 'DATA_DIR is not locked');
    } finally {
      await new Promise((resolve) => occupier.close(resolve));
    }
  });

  test('DATA_DIR cannot be created or written, naming DATA_DIR, the path and the fix', () => {
    const dir = tempDir('atoll-datadir-');
    try {
      const file = path.join(dir, 'a-file');
      fs.writeFileSync(file, '');
      const under = serveOnce({ ...server.env(), DATA_DIR: path.join(file, 'data') });
      assert.equal(under.status, 1, under.stderr);
      assert.equal(
        under.stderr,
        `atoll: DATA_DIR ${path.join(file, 'data')} is not usable: ${file} is a file, not a directory. ` +
          'Set DATA_DIR to a directory this user can create and write (default ./data)\n',
      );
      const itself = serveOnce({ ...server.env(), DATA_DIR: file });
      assert.equal(itself.status, 1, itself.stderr);
      assert.match(
        itself.stderr,
        new RegExp(
          `^atoll: DATA_DIR ${file} is not usable: it exists and is not a directory\\. Set DATA_DIR`,
        ),
      );
      assert.doesNotMatch(under.stderr + itself.stderr, /\n\s+at /, 'no stack trace');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
