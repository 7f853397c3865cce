import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  GitError,
  GitInputError,
  RepoNotFoundError,
  RevisionNotFoundError,
  StaleHeadError,
} from './errors.ts';
import { runGit } from './run.ts';
import { createGitStore, type GitStore, type TreeFile } from './store.ts';

let root: string;
let store: GitStore;
let repos = 0;

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-git-store-'));
  store = createGitStore({ root });
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

async function newRepo(): Promise<string> {
  const repo = `repo_${++repos}`;
  await store.init(repo);
  return repo;
}

function manifests(count: number, tag = ''): TreeFile[] {
  return Array.from({ length: count }, (_, i) => ({
    path: `apps/app${i % 20}/manifest-${i}.yaml`,
    content: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}${tag}\ndata:\n  key: "${'v'.repeat(i % 50)}"\n`,
  }));
}

const asBuffers = (files: TreeFile[]) =>
  files
    .map((f) => ({ path: f.path, content: Buffer.from(f.content) }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

describe('committing a tree', () => {
  test('a 500-file commit is one fast-import and reads back exactly, byte for byte', async () => {
    // The real git, wrapped to record each invocation's subcommand.
    const calls = path.join(root, 'calls.log');
    const wrapper = path.join(root, 'counting-git.sh');
    fs.writeFileSync(wrapper, `#!/bin/sh\necho "$2" >> '${calls}'\nexec git "$@"\n`, { mode: 0o755 });
    const store = createGitStore({ root, git: wrapper });
    const repo = await newRepo();
    const invocations = () => fs.readFileSync(calls, 'utf8').trim().split('\n');
    fs.writeFileSync(calls, '');
    const files: TreeFile[] = [
      ...manifests(497),
      { path: 'bin/random.bin', content: randomBytes(64 * 1024) },
      { path: 'bin/all-bytes.bin', content: Buffer.from(Array.from({ length: 256 }, (_, i) => i)) },
      { path: 'odd names/with "quotes" and \\ back\\slash é.yaml', content: 'x: 1\n' },
    ];
    const started = performance.now();
    const sha = await store.commit(repo, { branch: 'main', files, message: 'render 1', expectedHead: null });
    const elapsed = performance.now() - started;
    console.log(`500-file commit: ${elapsed.toFixed(1)} ms`);
    assert.ok(elapsed < 2000, `took ${elapsed} ms`);
    assert.deepEqual(invocations(), ['fast-import', 'update-ref'], 'one process writes every file');
    assert.equal(await store.head(repo, 'main'), sha);

    fs.writeFileSync(calls, '');
    const readStarted = performance.now();
    const back = await store.readFiles(repo, 'main');
    console.log(`500-file readFiles: ${(performance.now() - readStarted).toFixed(1)} ms`);
    assert.deepEqual(back, asBuffers(files));
    assert.deepEqual(invocations(), ['ls-tree', 'cat-file'], 'one listing, one batch read');
    assert.deepEqual(await store.readFile(repo, sha, 'bin/random.bin'), files[497]!.content);
  });

  test('the tree is exactly the given files: a file left out of the next commit is gone', async () => {
    const repo = await newRepo();
    const first = await store.commit(repo, {
      branch: 'main',
      files: [
        { path: 'a.yaml', content: 'a' },
        { path: 'dir/b.yaml', content: 'b' },
      ],
      message: 'one',
      expectedHead: null,
    });
    const second = await store.commit(repo, {
      branch: 'main',
      files: [{ path: 'dir/c.yaml', content: 'c' }],
      message: 'two',
      expectedHead: first,
    });
    assert.deepEqual(
      (await store.readFiles(repo, second)).map((f) => f.path),
      ['dir/c.yaml'],
    );
    assert.deepEqual(await store.changedPaths(repo, first, second), ['a.yaml', 'dir/b.yaml', 'dir/c.yaml']);
    assert.deepEqual(await store.changedPaths(repo, null, first), ['a.yaml', 'dir/b.yaml']);
    assert.deepEqual(await store.changedPaths(repo, second, second), []);
  });

  test('an empty file list commits the empty tree', async () => {
    const repo = await newRepo();
    const sha = await store.commit(repo, { branch: 'main', files: [], message: 'empty', expectedHead: null });
    assert.deepEqual(await store.readFiles(repo, sha), []);
    const [entry] = await store.log(repo, 'main', 10);
    assert.equal(entry!.sha, sha);
    assert.deepEqual(entry!.parents, []);
  });

  test('message, author, date and parents are recorded; equal inputs give equal commits', async () => {
    const [a, b] = [await newRepo(), await newRepo()];
    const input = {
      branch: 'main',
      files: manifests(3),
      message: 'subject line\n\nbody, kept exactly\n',
      expectedHead: null,
      author: { name: 'Render Bot', email: 'render@atoll.example' },
      date: new Date('2024-03-01T12:34:56.789Z'),
    };
    const shaA = await store.commit(a, input);
    assert.equal(await store.commit(b, input), shaA, 'deterministic: same tree, message, identity and date');
    const [entry] = await store.log(a, shaA, 1);
    assert.equal(entry!.message, input.message);
    assert.equal(entry!.authoredAt.toISOString(), '2024-03-01T12:34:56.000Z');
    const raw = (
      await runGit(store.setup, [`--git-dir=${store.repoDir(a)}`, 'cat-file', 'commit', shaA])
    ).toString();
    assert.match(raw, /^author Render Bot <render@atoll\.example> 1709296496 \+0000$/m);
    assert.match(raw, /^committer Atoll <atoll@localhost> 1709296496 \+0000$/m);
  });

  test('a merge commit has the parents it is given', async () => {
    const repo = await newRepo();
    const base = await store.commit(repo, {
      branch: 'main',
      files: manifests(2),
      message: 'base',
      expectedHead: null,
    });
    const side = await store.commit(repo, {
      branch: 'rcr/feature',
      files: manifests(3),
      message: 'side',
      expectedHead: null,
      parents: [base],
    });
    const main2 = await store.commit(repo, {
      branch: 'main',
      files: manifests(1),
      message: 'main 2',
      expectedHead: base,
    });
    const merge = await store.commit(repo, {
      branch: 'main',
      files: manifests(4),
      message: 'merge rcr/feature',
      expectedHead: main2,
      parents: [main2, side],
    });
    const [entry] = await store.log(repo, 'main', 1);
    assert.equal(entry!.sha, merge);
    assert.deepEqual(entry!.parents, [main2, side]);
    assert.deepEqual(
      (await store.log(repo, 'main', 10)).map((e) => e.sha).sort(),
      [base, side, main2, merge].sort(),
    );
  });
});

describe('compare-and-swap on the branch', () => {
  test('of two commits from the same head exactly one wins; the other gets StaleHeadError', async () => {
    const repo = await newRepo();
    const base = await store.commit(repo, {
      branch: 'main',
      files: manifests(5),
      message: 'base',
      expectedHead: null,
    });
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        store.commit(repo, {
          branch: 'main',
          files: manifests(50, `-${i}`),
          message: `attempt ${i}`,
          expectedHead: base,
        }),
      ),
    );
    const won = attempts.filter((a) => a.status === 'fulfilled');
    const lost = attempts.filter((a) => a.status === 'rejected');
    assert.equal(won.length, 1, JSON.stringify(lost.map((l) => String(l.reason))));
    const winner = won[0]!.value;
    for (const l of lost) {
      assert.ok(l.reason instanceof StaleHeadError, String(l.reason));
      assert.equal(l.reason.expectedHead, base);
      assert.equal(l.reason.currentHead, winner);
    }
    assert.equal(await store.head(repo, 'main'), winner);
    const history = await store.log(repo, 'main', 10);
    assert.deepEqual(
      history.map((e) => e.sha),
      [winner, base],
      'linear',
    );
    assert.deepEqual(history[0]!.parents, [base]);
    const leftovers = (
      await runGit(store.setup, [`--git-dir=${store.repoDir(repo)}`, 'for-each-ref', 'refs/atoll/'])
    )
      .toString()
      .trim();
    assert.equal(leftovers, '', 'no temporary refs remain');
  });

  test('expectedHead null fails when the branch exists, and a stale head leaves the branch untouched', async () => {
    const repo = await newRepo();
    const first = await store.commit(repo, {
      branch: 'main',
      files: manifests(1),
      message: '1',
      expectedHead: null,
    });
    await assert.rejects(
      store.commit(repo, { branch: 'main', files: [], message: 'again', expectedHead: null }),
      (e: unknown) => e instanceof StaleHeadError && e.currentHead === first && e.expectedHead === null,
    );
    const second = await store.commit(repo, {
      branch: 'main',
      files: manifests(2),
      message: '2',
      expectedHead: first,
    });
    await assert.rejects(
      store.commit(repo, { branch: 'main', files: [], message: 'stale', expectedHead: first }),
      StaleHeadError,
    );
    assert.equal(await store.head(repo, 'main'), second);
  });
});

describe('branches and history', () => {
  test('create, list and delete branches; creating an existing one is a StaleHeadError', async () => {
    const repo = await newRepo();
    assert.deepEqual(await store.branches(repo), []);
    assert.equal(await store.head(repo, 'main'), null);
    const sha = await store.commit(repo, {
      branch: 'main',
      files: manifests(2),
      message: 'm',
      expectedHead: null,
    });
    await store.createBranch(repo, 'rcr/one', sha);
    await assert.rejects(store.createBranch(repo, 'rcr/one', sha), StaleHeadError);
    await assert.rejects(store.createBranch(repo, 'rcr/two', 'f'.repeat(40)), RevisionNotFoundError);
    assert.deepEqual(await store.branches(repo), [
      { name: 'main', head: sha },
      { name: 'rcr/one', head: sha },
    ]);
    const moved = await store.commit(repo, { branch: 'rcr/one', files: [], message: 'x', expectedHead: sha });
    await assert.rejects(store.deleteBranch(repo, 'rcr/one', sha), StaleHeadError);
    assert.equal(await store.deleteBranch(repo, 'rcr/one', moved), true);
    assert.equal(await store.deleteBranch(repo, 'rcr/one'), false);
    assert.deepEqual(
      (await store.branches(repo)).map((b) => b.name),
      ['main'],
    );
  });

  test('log is newest first and honours the limit', async () => {
    const repo = await newRepo();
    let head: string | null = null;
    const shas: string[] = [];
    for (let i = 0; i < 4; i++) {
      head = await store.commit(repo, {
        branch: 'main',
        files: manifests(i + 1),
        message: `c${i}`,
        expectedHead: head,
      });
      shas.push(head);
    }
    const entries = await store.log(repo, 'main', 3);
    assert.deepEqual(
      entries.map((e) => e.message),
      ['c3', 'c2', 'c1'],
    );
    assert.deepEqual(
      entries.map((e) => e.sha),
      shas.slice(1).reverse(),
    );
    assert.deepEqual(entries[2]!.parents, [shas[0]]);
  });

  test('readFiles of a directory, readFile of a file, a directory or nothing', async () => {
    const repo = await newRepo();
    const sha = await store.commit(repo, {
      branch: 'main',
      files: [
        { path: 'apps/web/deploy.yaml', content: 'd' },
        { path: 'apps/web/svc.yaml', content: 's' },
        { path: 'apps/webhook/x.yaml', content: 'x' },
        { path: 'root.yaml', content: 'r' },
      ],
      message: 'm',
      expectedHead: null,
    });
    assert.deepEqual(
      (await store.readFiles(repo, 'main', 'apps/web')).map((f) => [f.path, f.content.toString()]),
      [
        ['apps/web/deploy.yaml', 'd'],
        ['apps/web/svc.yaml', 's'],
      ],
    );
    assert.deepEqual(await store.readFiles(repo, sha, 'apps/nothing'), []);
    assert.deepEqual(await store.readFiles(repo, sha, 'root.yaml'), []);
    assert.equal((await store.readFile(repo, 'main', 'root.yaml'))?.toString(), 'r');
    assert.equal(await store.readFile(repo, 'main', 'apps/web'), undefined);
    assert.equal(await store.readFile(repo, 'main', 'missing.yaml'), undefined);
  });
});

describe('refusals and errors', () => {
  test('bad paths are refused before anything is written', async () => {
    const repo = await newRepo();
    const cases = [
      '../x',
      '/abs',
      'a//b',
      'a/./b',
      'a/../b',
      '',
      'dir/',
      '.git/config',
      'x/.GIT/y',
      'new\nline',
    ];
    for (const bad of cases) {
      await assert.rejects(
        store.commit(repo, {
          branch: 'main',
          files: [{ path: bad, content: 'x' }],
          message: 'm',
          expectedHead: null,
        }),
        (e: unknown) => e instanceof GitInputError && e.field === 'path',
        JSON.stringify(bad),
      );
    }
    const dupes = [
      { path: 'a.yaml', content: '1' },
      { path: 'a.yaml', content: '2' },
    ];
    await assert.rejects(
      store.commit(repo, { branch: 'main', files: dupes, message: 'm', expectedHead: null }),
      GitInputError,
    );
    const fileAndDir = [
      { path: 'a', content: '1' },
      { path: 'a/b', content: '2' },
    ];
    await assert.rejects(
      store.commit(repo, { branch: 'main', files: fileAndDir, message: 'm', expectedHead: null }),
      GitInputError,
    );
    await assert.rejects(store.readFiles(repo, 'main', '../etc'), GitInputError);
    assert.equal(await store.head(repo, 'main'), null);
  });

  test('repository names are validated so no path can leave the root', async () => {
    for (const bad of ['../x', 'a/b', 'A', 'a.b', 'a-b', '', 'x'.repeat(65), '.', 'a\0']) {
      assert.throws(() => store.repoDir(bad), GitInputError, JSON.stringify(bad));
      await assert.rejects(store.init(bad), GitInputError);
      await assert.rejects(store.head(bad, 'main'), GitInputError);
    }
    assert.equal(store.repoDir('ok_name_1'), path.join(root, 'ok_name_1.git'));
  });

  test('branch names and revisions are validated', async () => {
    const repo = await newRepo();
    for (const bad of [
      '',
      '-x',
      '.hidden',
      'a..b',
      'a/',
      'x.lock',
      'HEAD',
      'refs/heads/main',
      'a b',
      'a~1',
    ]) {
      await assert.rejects(
        store.commit(repo, { branch: bad, files: [], message: 'm', expectedHead: null }),
        GitInputError,
        JSON.stringify(bad),
      );
    }
    await assert.rejects(store.readFiles(repo, '--output=/tmp/x'), GitInputError);
    await assert.rejects(store.log(repo, 'main~1', 1), GitInputError);
    await assert.rejects(
      store.commit(repo, { branch: 'main', files: [], message: 'm', expectedHead: 'abc' }),
      GitInputError,
    );
  });

  test('unknown revisions and repositories are typed errors', async () => {
    const repo = await newRepo();
    await assert.rejects(store.readFiles(repo, 'main'), RevisionNotFoundError);
    await assert.rejects(store.readFile(repo, 'nope', 'a.yaml'), RevisionNotFoundError);
    await assert.rejects(store.log(repo, 'main', 5), RevisionNotFoundError);
    await assert.rejects(store.changedPaths(repo, null, 'main'), RevisionNotFoundError);
    await assert.rejects(
      store.commit(repo, { branch: 'main', files: [], message: 'm', expectedHead: '1'.repeat(40) }),
      RevisionNotFoundError,
    );
    await assert.rejects(store.readFiles('never_created', 'main'), RepoNotFoundError);
    await assert.rejects(
      store.commit('never_created', { branch: 'main', files: [], message: 'm', expectedHead: null }),
      RepoNotFoundError,
    );
  });

  test('a broken repository surfaces as GitError with the command and its stderr', async () => {
    const repo = await newRepo();
    fs.writeFileSync(path.join(store.repoDir(repo), 'config'), '[[[ not config\n');
    // (head() reads refs from files; listing branches runs git.)
    const error = await store.branches(repo).then(
      () => assert.fail('expected a GitError'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof GitError, String(error));
    assert.match(error.command, /^git --git-dir=.* for-each-ref/);
    assert.match(error.stderr, /bad config/);
  });
});

describe('repositories', () => {
  test('init is idempotent and safe under concurrent calls, from two stores at once', async () => {
    const other = createGitStore({ root });
    await Promise.all([
      ...Array.from({ length: 5 }, () => store.init('shared_init')),
      ...Array.from({ length: 5 }, () => other.init('shared_init')),
    ]);
    assert.equal(await store.exists('shared_init'), true);
    const sha = await store.commit('shared_init', {
      branch: 'main',
      files: [],
      message: 'm',
      expectedHead: null,
    });
    await store.init('shared_init');
    assert.equal(await other.head('shared_init', 'main'), sha);
    const symbolic = await runGit(store.setup, [
      `--git-dir=${store.repoDir('shared_init')}`,
      'symbolic-ref',
      'HEAD',
    ]);
    assert.equal(symbolic.toString().trim(), 'refs/heads/main');
    assert.deepEqual(
      fs.readdirSync(root).filter((name) => name.startsWith('.init-')),
      [],
      'no half-built repositories left behind',
    );
  });

  test('git ignores the server environment and user config', async () => {
    fs.writeFileSync(
      path.join(root, '.gitconfig'),
      '[init]\n\tdefaultBranch = evil\n[user]\n\tname = Evil\n',
    );
    const saved = { GIT_DIR: process.env.GIT_DIR, GIT_INDEX_FILE: process.env.GIT_INDEX_FILE };
    process.env.GIT_DIR = '/nonexistent';
    process.env.GIT_INDEX_FILE = '/nonexistent/index';
    try {
      const repo = await newRepo();
      const sha = await store.commit(repo, {
        branch: 'main',
        files: manifests(2),
        message: 'm',
        expectedHead: null,
      });
      const raw = (
        await runGit(store.setup, [`--git-dir=${store.repoDir(repo)}`, 'cat-file', 'commit', sha])
      ).toString();
      assert.match(raw, /^author Atoll <atoll@localhost>/m);
      const symbolic = await runGit(store.setup, [
        `--git-dir=${store.repoDir(repo)}`,
        'symbolic-ref',
        'HEAD',
      ]);
      assert.equal(symbolic.toString().trim(), 'refs/heads/main');
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      fs.rmSync(path.join(root, '.gitconfig'));
    }
  });

  test('maintain drops temporary refs left by a commit that died half-way', async () => {
    const repo = await newRepo();
    const sha = await store.commit(repo, {
      branch: 'main',
      files: manifests(3),
      message: 'm',
      expectedHead: null,
    });
    await runGit(store.setup, [
      `--git-dir=${store.repoDir(repo)}`,
      'update-ref',
      'refs/atoll/tmp/deadbeef',
      sha,
    ]);
    assert.deepEqual(await store.maintain(repo), { droppedTempRefs: 1 });
    assert.deepEqual(await store.maintain(repo), { droppedTempRefs: 0 });
    assert.equal(await store.head(repo, 'main'), sha);
  });

  test('remove deletes the repository', async () => {
    const repo = await newRepo();
    assert.equal(fs.existsSync(store.repoDir(repo)), true);
    await store.remove(repo);
    assert.equal(fs.existsSync(store.repoDir(repo)), false);
    assert.equal(await store.exists(repo), false);
    await store.remove(repo);
  });
});
