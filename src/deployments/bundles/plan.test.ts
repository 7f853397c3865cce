import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { AgentConfig } from '../config-schema.ts';
import { compilePattern, matchIndex } from './glob.ts';
import { buildBundle } from './pack.ts';
import { BundlePlanError, planBundle } from './plan.ts';
import { tempDir, writeTree } from './tar-fixtures.ts';

const CONFIG = AgentConfig.parse({ name: 'p', entrypoint: 'node main.js' });
const NONE = { include: [], exclude: [] };

function matches(pattern: string, file: string, isDirectory = false): boolean {
  return matchIndex(compilePattern(pattern), file.split('/'), isDirectory) !== -1;
}

async function reasons(dir: string, patterns: { include: string[]; exclude: string[] }) {
  const plan = await planBundle(dir, patterns);
  return Object.fromEntries(plan.entries.map((e) => [e.path, `${e.included ? '+' : '-'} ${e.reason}`]));
}

describe('bundle patterns', () => {
  test('a pattern without a slash matches a name at any depth; one with a slash is anchored at the root', () => {
    assert.ok(matches('*.pyc', 'a/b/c.pyc'));
    assert.ok(matches('.env', 'config/.env'));
    assert.ok(matches('src/*.ts', 'src/a.ts'));
    assert.ok(!matches('src/*.ts', 'lib/src/a.ts'));
    assert.ok(!matches('src/*.ts', 'src/x/a.ts'));
    assert.ok(matches('/build', 'build/out.js'));
    assert.ok(!matches('/build', 'src/build/out.js'));
  });

  test('** spans directories, a trailing slash matches directories only, and a matched directory covers its contents', () => {
    assert.ok(matches('**/*.test.ts', 'a/b/c.test.ts'));
    assert.ok(matches('**/*.test.ts', 'c.test.ts'));
    assert.ok(matches('data/**', 'data/x/y.csv'));
    assert.ok(matches('node_modules/', 'node_modules/x/index.js'));
    assert.ok(!matches('node_modules/', 'node_modules'));
    assert.ok(matches('node_modules/', 'node_modules', true));
    assert.ok(matches('*.{js,mjs}', 'a/b.mjs'));
    assert.ok(matches('file[0-9].txt', 'file7.txt'));
    assert.ok(!matches('file[!0-9].txt', 'file7.txt'));
    assert.ok(matches('*', '.hidden'), '* matches dotfiles, as in .gitignore');
  });
});

describe('planBundle', () => {
  test('default excludes leave out local secrets and generated directories, which are not descended into', async () => {
    const dir = writeTree(tempDir(), {
      'main.js': 'x',
      '.env': 'S=1',
      '.env.local': 'S=2',
      '.git/config': '',
      'node_modules/x/index.js': '',
      'app/__pycache__/m.cpython-312.pyc': '',
      'app/m.pyc': '',
      'app/m.py': '',
      '.DS_Store': '',
      '.npmrc': '//registry/:_authToken=x',
      'venv/bin/python': '',
      '.atoll/state': '',
    });
    assert.deepEqual(await reasons(dir, NONE), {
      '.DS_Store': '- default exclude .DS_Store',
      '.atoll/': '- default exclude .atoll/',
      '.env': '- default exclude .env',
      '.env.local': '- default exclude .env.*',
      '.git/': '- default exclude .git/',
      '.npmrc': '- default exclude .npmrc',
      'app/__pycache__/': '- default exclude __pycache__/',
      'app/m.py': '+ not excluded',
      'app/m.pyc': '- default exclude *.pyc',
      'main.js': '+ not excluded',
      'node_modules/': '- default exclude node_modules/',
      'venv/': '- default exclude venv/',
    });
  });

  test('with include patterns only matching files go in, and exclude patterns always win', async () => {
    const dir = writeTree(tempDir(), {
      'main.js': '',
      'lib/a.js': '',
      'lib/a.test.js': '',
      'notes.md': '',
      'build/out.js': '',
    });
    assert.deepEqual(await reasons(dir, { include: ['*.js'], exclude: ['**/*.test.js', 'build/'] }), {
      'build/': '- exclude pattern build/',
      'lib/a.js': '+ include pattern *.js',
      'lib/a.test.js': '- exclude pattern **/*.test.js',
      'main.js': '+ include pattern *.js',
      'notes.md': '- not matched by any include pattern',
    });
  });

  test('an include that names a default-excluded path literally ships it; a wildcard alone does not', async () => {
    const dir = writeTree(tempDir(), {
      'main.js': '',
      'node_modules/dep/index.js': '',
      'node_modules/dep/.env': 'S=1',
      '.env.example': 'S=',
      '.env': 'S=1',
    });
    assert.deepEqual(
      await reasons(dir, { include: ['**', 'node_modules/**', '.env.example'], exclude: [] }),
      {
        '.env': '- default exclude .env',
        '.env.example': '+ include pattern .env.example overrides default exclude .env.*',
        'main.js': '+ include pattern **',
        'node_modules/dep/.env': '- default exclude .env',
        'node_modules/dep/index.js':
          '+ include pattern node_modules/** overrides default exclude node_modules/',
      },
    );
    assert.equal(
      (await reasons(dir, { include: ['**/*.js'], exclude: [] }))['node_modules/'],
      '- default exclude node_modules/',
    );
  });

  test('refuses an included special file, and a symlink that leaves the directory', async () => {
    const fifoDir = writeTree(tempDir(), { 'main.js': '' });
    execFileSync('mkfifo', [path.join(fifoDir, 'pipe')]);
    await assert.rejects(
      planBundle(fifoDir, NONE),
      /pipe: is a fifo, which a bundle cannot carry; add it to \[bundle\] exclude/,
    );
    const excludedPlan = await planBundle(fifoDir, { include: [], exclude: ['pipe'] });
    assert.equal(excludedPlan.entries.find((e) => e.path === 'pipe')?.included, false);

    const linkDir = writeTree(tempDir(), { 'main.js': '', passwd: { symlink: '/etc/passwd' } });
    await assert.rejects(planBundle(linkDir, NONE), /passwd: the symlink target "\/etc\/passwd" is absolute/);
    const upDir = writeTree(tempDir(), { 'main.js': '', up: { symlink: '../x' } });
    await assert.rejects(planBundle(upDir, NONE), BundlePlanError);
  });

  test('refuses a tree where everything is excluded, and a bad pattern naming its key', async () => {
    const dir = writeTree(tempDir(), { '.env': '' });
    await assert.rejects(planBundle(dir, NONE), /nothing to bundle/);
    await assert.rejects(
      planBundle(dir, { include: ['../x'], exclude: [] }),
      /bundle.include: pattern "..\/x" has a ".." segment/,
    );
  });
});

describe('buildBundle', () => {
  test('the same tree packs to the same bytes, also after its mtimes change', async () => {
    const dir = writeTree(tempDir(), {
      'main.js': 'console.log(1)\n',
      'b/z.txt': 'z',
      'b/a.txt': 'a',
      'run.sh': { mode: 0o755, content: '#!/bin/sh\n' },
      link: { symlink: 'b/a.txt' },
    });
    const first = await buildBundle(dir, NONE, CONFIG);
    const later = new Date('2030-01-01T00:00:00Z');
    for (const f of ['main.js', 'b/z.txt', 'b', 'run.sh']) fs.utimesSync(path.join(dir, f), later, later);
    fs.lutimesSync(path.join(dir, 'link'), later, later);
    const second = await buildBundle(dir, NONE, CONFIG);
    assert.equal(second.manifest.bundle_digest, first.manifest.bundle_digest);
    assert.deepEqual(second.bytes, first.bytes);
    assert.deepEqual(second.manifest, first.manifest);
    assert.deepEqual(
      first.manifest.entries.map((e) => [e.path, e.mode]),
      [
        ['b/a.txt', 0o644],
        ['b/z.txt', 0o644],
        ['link', 0o777],
        ['main.js', 0o644],
        ['run.sh', 0o755],
      ],
    );
  });

  test('a tree with other permissions but the same execute bits gives the same digest', async () => {
    const a = writeTree(tempDir(), {
      'main.js': { mode: 0o600, content: 'x' },
      run: { mode: 0o700, content: 'y' },
    });
    const b = writeTree(tempDir(), {
      'main.js': { mode: 0o664, content: 'x' },
      run: { mode: 0o775, content: 'y' },
    });
    const [pa, pb] = await Promise.all([buildBundle(a, NONE, CONFIG), buildBundle(b, NONE, CONFIG)]);
    assert.equal(pa.manifest.bundle_digest, pb.manifest.bundle_digest);
  });

  test('the manifest counts included files and symlinks, sums file sizes and records the workdir', async () => {
    const dir = writeTree(tempDir(), {
      'main.js': '12345',
      'lib/x.js': '678',
      link: { symlink: 'main.js' },
      '.env': 'S=1',
    });
    const config = AgentConfig.parse({ name: 'p', entrypoint: 'node main.js', workdir: '/app' });
    const { manifest } = await buildBundle(dir, { include: [], exclude: ['nothing'] }, config);
    assert.equal(manifest.file_count, 3);
    assert.equal(manifest.total_size, 8);
    assert.equal(manifest.materialization_path, '/app');
    assert.deepEqual(manifest.exclude_patterns, ['nothing']);
    assert.ok(manifest.default_exclude_patterns.includes('.env'));
    assert.match(manifest.config_digest!, /^sha256:[0-9a-f]{64}$/);
  });
});
