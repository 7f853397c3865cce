import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { ApiError } from '../../http/errors.ts';
import { AgentConfig } from '../config-schema.ts';
import { sha256Digest } from '../../lib/digest.ts';
import { BundleManifest, type BundleEntry } from './manifest.ts';
import { buildBundle } from './pack.ts';
import { tarOf, tempDir, writeTree, type FixtureEntry } from './tar-fixtures.ts';
import { verifyBundle } from './verify.ts';

const LIMITS = { maxBytes: 1 << 20, maxEntries: 100 };
const CONFIG = AgentConfig.parse({ name: 'v', entrypoint: 'node main.js' });

function fileEntry(path: string, body: string, mode = 0o644): BundleEntry {
  return {
    path,
    included: true,
    reason: null,
    size: Buffer.byteLength(body),
    mode,
    digest: sha256Digest(body),
    symlink_target: null,
  };
}
function linkEntry(path: string, target: string): BundleEntry {
  return { path, included: true, reason: null, size: 0, mode: 0o777, digest: null, symlink_target: target };
}
function manifestOf(entries: BundleEntry[], overrides: Partial<BundleManifest> = {}): BundleManifest {
  const included = entries.filter((e) => e.included);
  return BundleManifest.parse({
    bundle_digest: sha256Digest('x'),
    total_size: included.reduce((s, e) => s + (e.symlink_target === null ? (e.size ?? 0) : 0), 0),
    file_count: Math.max(1, included.length),
    entries,
    ...overrides,
  });
}

/** Asserts that verifying `entries` fails with a 422 whose message names `entry` and matches `why`. */
async function refuses(
  entries: FixtureEntry[],
  entry: string,
  why: RegExp,
  manifest = manifestOf([fileEntry('main.js', 'x')]),
  limits = LIMITS,
) {
  const bytes = await tarOf(entries);
  await assert.rejects(verifyBundle(bytes, manifest, limits), (error: unknown) => {
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.status, 'INVALID_ARGUMENT');
    assert.deepEqual(error.details[0]!.path, ['body', entry]);
    assert.ok(error.message.includes(`"${entry}"`), `message names the entry: ${error.message}`);
    assert.match(error.message, why);
    return true;
  });
}

describe('verifyBundle', () => {
  test('accepts what the planner packed and reports the digest of the exact bytes', async () => {
    const dir = writeTree(tempDir(), {
      'main.js': 'console.log(1)\n',
      'bin/run': { mode: 0o755, content: '#!/bin/sh\n' },
      'lib/a.js': 'a',
      current: { symlink: 'lib' },
      '.env': 'SECRET=1',
    });
    const { bytes, manifest } = await buildBundle(dir, { include: [], exclude: [] }, CONFIG);
    const verified = await verifyBundle(bytes, manifest, LIMITS);
    assert.equal(verified.digest, manifest.bundle_digest);
    assert.equal(verified.file_count, 4);
    assert.equal(verified.total_size, manifest.total_size);
    assert.deepEqual(
      verified.entries.map((e) => e.path),
      ['bin/run', 'current', 'lib/a.js', 'main.js'],
    );
  });

  test('accepts directory entries (as GNU tar writes them) that the manifest does not list', async () => {
    const bytes = await tarOf([
      { name: './', type: 'directory', mode: 0o755 },
      { name: './src/', type: 'directory', mode: 0o755 },
      { name: './src/main.js', body: 'x', mode: 0o644 },
    ]);
    const verified = await verifyBundle(bytes, manifestOf([fileEntry('src/main.js', 'x')]), LIMITS);
    assert.deepEqual(
      verified.entries.map((e) => [e.path, e.type]),
      [
        ['src', 'directory'],
        ['src/main.js', 'file'],
      ],
    );
  });

  test('accepts a tar written by GNU tar, long names included', { skip: !hasGnuTar() }, async () => {
    const long = `${'deep/'.repeat(25)}file.txt`;
    const dir = writeTree(tempDir(), {
      'main.js': 'x',
      [long]: 'long',
      'run.sh': { mode: 0o755, content: '#!/bin/sh\n' },
    });
    fs.chmodSync(path.join(dir, 'main.js'), 0o644);
    fs.chmodSync(path.join(dir, long), 0o644);
    const { manifest } = await buildBundle(dir, { include: [], exclude: [] }, CONFIG);
    const gnu = spawnSync('tar', ['--format=gnu', '-cf', '-', '-C', dir, '.'], { maxBuffer: 1 << 24 });
    assert.equal(gnu.status, 0, String(gnu.stderr));
    const verified = await verifyBundle(new Uint8Array(gnu.stdout), manifest, LIMITS);
    assert.ok(verified.entries.some((e) => e.path === long));
  });

  test('refuses a bundle larger than the byte limit', async () => {
    const bytes = await tarOf([{ name: 'main.js', body: 'x'.repeat(4096) }]);
    await assert.rejects(
      verifyBundle(bytes, manifestOf([]), { ...LIMITS, maxBytes: 1024 }),
      /more than the limit of 1024/,
    );
  });

  test('refuses a tar with more entries than the limit, naming the first entry past it', async () => {
    await refuses(
      [
        { name: 'a', body: '' },
        { name: 'b', body: '' },
        { name: 'c', body: '' },
      ],
      'c',
      /more than 2 entries/,
      undefined,
      { ...LIMITS, maxEntries: 2 },
    );
  });

  test('refuses absolute paths, ".." segments, empty paths and paths with NUL', async () => {
    await refuses([{ name: '/etc/cron.d/x', body: 'x' }], '/etc/cron.d/x', /absolute/);
    await refuses([{ name: 'a/../../x', body: 'x' }], 'a/../../x', /"\.\." segment/);
    await refuses([{ name: '', body: 'x' }], '', /empty/);
    await refuses([{ name: 'ok', pax: { path: 'a\0b' }, body: 'x' }], 'a\0b', /NUL/);
  });

  test('refuses a path that appears twice', async () => {
    await refuses(
      [
        { name: 'main.js', body: 'x' },
        { name: './main.js', body: 'y' },
      ],
      './main.js',
      /appears twice/,
    );
  });

  test('refuses devices, fifos and hard links', async () => {
    await refuses(
      [{ name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 }],
      'dev/null',
      /character-device/,
    );
    await refuses([{ name: 'disk', type: 'block-device' }], 'disk', /block-device/);
    await refuses([{ name: 'pipe', type: 'fifo' }], 'pipe', /fifo/);
    await refuses(
      [
        { name: 'main.js', body: 'x' },
        { name: 'hard', type: 'link', linkname: 'main.js' },
      ],
      'hard',
      /"link" is not allowed/,
    );
  });

  test('refuses symlinks that leave the bundle root, also by way of another symlink', async () => {
    await refuses([{ name: 'abs', type: 'symlink', linkname: '/etc/passwd' }], 'abs', /absolute/);
    await refuses(
      [{ name: 'sub/up', type: 'symlink', linkname: '../../etc' }],
      'sub/up',
      /leaves the bundle root/,
    );
    await refuses(
      [
        { name: 'p/s', type: 'symlink', linkname: '../q' },
        { name: 'p/l', type: 'symlink', linkname: 's/../..' },
      ],
      'p/l',
      /leaves the bundle root/,
    );
    await refuses(
      [
        { name: 'a', type: 'symlink', linkname: 'b' },
        { name: 'b', type: 'symlink', linkname: 'a/x' },
      ],
      'a',
      /loops/,
    );
  });

  test('refuses an entry whose path passes through a symlink, whichever comes first in the tar', async () => {
    await refuses(
      [
        { name: 'lib', type: 'symlink', linkname: 'real' },
        { name: 'lib/evil.js', body: 'x' },
      ],
      'lib/evil.js',
      /through symlink "lib"/,
    );
    await refuses(
      [
        { name: 'lib/evil.js', body: 'x' },
        { name: 'lib', type: 'symlink', linkname: 'real' },
      ],
      'lib/evil.js',
      /through symlink "lib"/,
    );
  });

  test('refuses setuid and setgid bits', async () => {
    await refuses([{ name: 'suid', body: 'x', mode: 0o4755 }], 'suid', /setuid or setgid/);
    await refuses([{ name: 'bin/', type: 'directory', mode: 0o2755 }], 'bin/', /setuid or setgid/);
  });

  test('refuses any difference from the manifest, naming the entry', async () => {
    const good = [fileEntry('main.js', 'hello'), linkEntry('link', 'main.js')];
    const tar = [
      { name: 'main.js', body: 'hello', mode: 0o644 },
      { name: 'link', type: 'symlink' as const, linkname: 'main.js', mode: 0o777 },
    ];
    await verifyBundle(await tarOf(tar), manifestOf(good), LIMITS);
    await refuses(
      [...tar, { name: 'extra.js', body: '' }],
      'extra.js',
      /not among the manifest's included entries/,
      manifestOf(good),
    );
    await refuses([tar[0]!], 'link', /the manifest includes it but the tar has no file/, manifestOf(good));
    await refuses(
      [{ ...tar[0]!, body: 'HELLO' }, tar[1]!],
      'main.js',
      /digest sha256:\w+ in the tar/,
      manifestOf(good),
    );
    await refuses(
      [{ ...tar[0]!, body: 'hello!' }, tar[1]!],
      'main.js',
      /size 6 in the tar, 5 in the manifest/,
      manifestOf(good),
    );
    await refuses(
      [{ ...tar[0]!, mode: 0o755 }, tar[1]!],
      'main.js',
      /mode 755 in the tar, 644 in the manifest/,
      manifestOf(good),
    );
    await refuses(
      [tar[0]!, { ...tar[1]!, linkname: 'other.js' }],
      'link',
      /symlink target "other.js" in the tar, "main.js"/,
      manifestOf(good),
    );
    const excluded = [fileEntry('main.js', 'hello'), { ...linkEntry('link', 'main.js'), included: false }];
    await refuses(tar, 'link', /not among the manifest's included entries/, manifestOf(excluded));
    await assert.rejects(
      verifyBundle(await tarOf(tar), manifestOf(good, { file_count: 3 }), LIMITS),
      /file_count is 3/,
    );
    await assert.rejects(
      verifyBundle(await tarOf(tar), manifestOf(good, { total_size: 9 }), LIMITS),
      /total_size is 9/,
    );
  });

  test('refuses a gzip-compressed or corrupt upload', async () => {
    const bytes = await tarOf([{ name: 'main.js', body: 'x' }]);
    await assert.rejects(
      verifyBundle(gzipSync(bytes), manifestOf([]), LIMITS),
      /gzip-compressed; send an uncompressed tar/,
    );
    const corrupt = Uint8Array.from(bytes);
    corrupt[10] = 0x41; // breaks the header checksum
    await assert.rejects(verifyBundle(corrupt, manifestOf([]), LIMITS), /not a readable tar/);
  });
});

function hasGnuTar(): boolean {
  return /GNU tar/.test(spawnSync('tar', ['--version'], { encoding: 'utf8' }).stdout ?? '');
}
