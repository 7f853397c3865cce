/**
 * @atoll/client as published: compiled by its own build configuration (packages/client/tsconfig.build.json)
 * and imported as plain JavaScript by Node 20, the oldest Node it supports, which lists snippets from a
 * live Atoll. Skipped when no Node 20+ is at /usr/bin/node.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startHarness, tempDir, type Harness } from './harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SYSTEM_NODE = '/usr/bin/node';

/** The major version of `/usr/bin/node`, or why it cannot be used. */
function systemNode(): { major: number } | { reason: string } {
  if (!fs.existsSync(SYSTEM_NODE)) return { reason: `${SYSTEM_NODE} is absent` };
  const version = execFileSync(SYSTEM_NODE, ['--version'], { encoding: 'utf8' }).trim();
  const major = Number(/^v(\d+)\./.exec(version)?.[1]);
  return major >= 20 ? { major } : { reason: `${SYSTEM_NODE} is ${version}; the client needs Node 20+` };
}

const LIST_SNIPPETS = `
import { createAtollClient, unwrap, AtollApiError } from './dist/index.js';
const [baseUrl, token] = process.argv.slice(2);
const client = createAtollClient({ baseUrl, token });
const list = await unwrap(client.GET('/v1/snippets', { params: { query: { limit: 100 } } }));
const refused = await unwrap(createAtollClient({ baseUrl }).GET('/v1/snippets')).catch((e) => e);
console.log(JSON.stringify({
  node: process.version,
  names: list.data.map((s) => s.name),
  refused: { isApiError: refused instanceof AtollApiError, status: refused.status },
}));
`;

describe('@atoll/client built for Node 20+', () => {
  const node = systemNode();
  let h: Harness;
  let dir: string;
  before(async () => {
    if ('reason' in node) return;
    h = await startHarness();
    dir = tempDir('atoll-client-dist-');
    // The compiled files import openapi-fetch by name, as an installed @atoll/client would.
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    fs.writeFileSync(path.join(dir, 'list.mjs'), LIST_SNIPPETS);
  });
  after(async () => {
    await h?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the compiled client lists snippets from a live server under /usr/bin/node', async (t) => {
    if ('reason' in node) return t.skip(node.reason);
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    const config = path.join(ROOT, 'packages/client/tsconfig.build.json');
    execFileSync(process.execPath, [tsc, '-p', config, '--outDir', path.join(dir, 'dist')], {
      stdio: 'pipe',
    });
    assert.ok(fs.existsSync(path.join(dir, 'dist/index.js')));
    assert.ok(fs.existsSync(path.join(dir, 'dist/index.d.ts')));

    for (const name of ['first', 'second']) {
      const res = await h.request('POST', '/v1/snippets', {
        body: { name, code: 'async () => 1', display_type: 'json' },
      });
      assert.equal(res.status, 201, res.text);
    }
    const base = await h.listen();
    const { stdout } = await promisify(execFile)(SYSTEM_NODE, ['list.mjs', base, h.token], {
      cwd: dir,
      timeout: 30_000,
    });
    const out = JSON.parse(stdout);
    assert.equal(Number(/^v(\d+)\./.exec(out.node)?.[1]), node.major);
    assert.deepEqual([...out.names].sort(), ['first', 'second']);
    assert.deepEqual(out.refused, { isApiError: true, status: 401 });
  });
});
