import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GitInputError, RepoNotFoundError, RevisionNotFoundError } from './errors.ts';
import { PatchSplitter } from './patch-sections.ts';
import { runGit } from './run.ts';
import { createGitStore, DEFAULT_DIFF_LIMITS, type GitStore, type TreeFile } from './store.ts';

let root: string;
let store: GitStore;
let repos = 0;

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-git-diff-'));
  store = createGitStore({ root });
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

async function commits(...trees: TreeFile[][]): Promise<{ repo: string; shas: string[] }> {
  const repo = `diff_${++repos}`;
  await store.init(repo);
  const shas: string[] = [];
  for (const [i, files] of trees.entries()) {
    shas.push(
      await store.commit(repo, {
        branch: 'main',
        files,
        message: `c${i}`,
        expectedHead: shas.at(-1) ?? null,
      }),
    );
  }
  return { repo, shas };
}

const lines = (n: number, tag = 'line') => Array.from({ length: n }, (_, i) => `${tag} ${i}\n`).join('');

describe('diffing two revisions', () => {
  test('against the empty tree every file is added, with its whole content in the patch', async () => {
    const { repo, shas } = await commits([
      { path: 'manifests/a.yaml', content: 'kind: A\nname: a\n' },
      { path: 'inputs.yaml', content: 'replicas: 1\n' },
    ]);
    const diff = await store.diff(repo, null, shas[0]!);
    assert.equal(diff.truncated, false);
    assert.equal(diff.totalFiles, 2);
    assert.deepEqual(
      diff.files.map((f) => [f.path, f.status, f.additions, f.deletions, f.binary, f.truncated]),
      [
        ['inputs.yaml', 'added', 1, 0, false, false],
        ['manifests/a.yaml', 'added', 2, 0, false, false],
      ],
    );
    assert.match(
      diff.files[1]!.patch,
      /^diff --git a\/manifests\/a.yaml b\/manifests\/a.yaml\nnew file mode 100644\n/,
    );
    assert.match(diff.files[1]!.patch, /\n\+kind: A\n\+name: a\n$/);
  });

  test('modified, added, deleted and binary files, in path order; the patches together are git diff', async () => {
    const { repo, shas } = await commits(
      [
        { path: 'a.yaml', content: 'x: 1\ny: 2\n' },
        { path: 'gone.yaml', content: 'bye\n' },
        { path: 'blob.bin', content: Buffer.from([0, 1, 2]) },
      ],
      [
        { path: 'a.yaml', content: 'x: 1\ny: 3\nz: 4\n' },
        { path: 'new.yaml', content: 'hi\n' },
        { path: 'blob.bin', content: Buffer.from([0, 1, 3]) },
      ],
    );
    const diff = await store.diff(repo, shas[0]!, shas[1]!);
    assert.deepEqual(
      diff.files.map((f) => [f.path, f.status, f.additions, f.deletions, f.binary]),
      [
        ['a.yaml', 'modified', 2, 1, false],
        ['blob.bin', 'modified', 0, 0, true],
        ['gone.yaml', 'deleted', 0, 1, false],
        ['new.yaml', 'added', 1, 0, false],
      ],
    );
    assert.match(diff.files[0]!.patch, /@@ -1,2 \+1,3 @@\n x: 1\n-y: 2\n\+y: 3\n\+z: 4\n$/);
    assert.match(diff.files[1]!.patch, /Binary files a\/blob.bin and b\/blob.bin differ\n$/);
    const whole = await runGit(store.setup, [
      `--git-dir=${store.repoDir(repo)}`,
      'diff-tree',
      '-r',
      '-p',
      shas[0]!,
      shas[1]!,
    ]);
    assert.equal(diff.files.map((f) => f.patch).join(''), whole.toString('utf8'));
    assert.deepEqual(await store.diff(repo, shas[1]!, shas[1]!), {
      files: [],
      totalFiles: 0,
      truncated: false,
    });
  });

  test('a change of file type is one modified file whose patch is a deletion and an addition', async () => {
    const { repo, shas } = await commits([{ path: 'link', content: 'target\n' }]);
    const git = (args: string[], input?: string) =>
      runGit(
        store.setup,
        [`--git-dir=${store.repoDir(repo)}`, ...args],
        input === undefined ? {} : { input },
      );
    const blob = (await git(['hash-object', '-w', '--stdin'], 'target')).toString().trim();
    const tree = (await git(['mktree'], `120000 blob ${blob}\tlink\n`)).toString().trim();
    const symlinkCommit = (
      await git(
        ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit-tree', tree, '-p', shas[0]!, '-m', 'symlink'],
        '',
      )
    )
      .toString()
      .trim();
    const diff = await store.diff(repo, shas[0]!, symlinkCommit);
    assert.equal(diff.files.length, 1);
    assert.equal(diff.files[0]!.status, 'modified');
    assert.equal(diff.files[0]!.patch.match(/^diff --git /gm)?.length, 2);
    assert.equal(diff.truncated, false);
  });

  test('the caps: files beyond maxFiles are left out, a long patch is cut at a line end, the total budget empties the rest', async () => {
    const { repo, shas } = await commits(
      Array.from({ length: 5 }, (_, i) => ({ path: `f${i}.txt`, content: lines(200, `file ${i}`) })),
    );
    const fewer = await store.diff(repo, null, shas[0]!, { ...DEFAULT_DIFF_LIMITS, maxFiles: 2 });
    assert.deepEqual(
      fewer.files.map((f) => [f.path, f.truncated, f.additions]),
      [
        ['f0.txt', false, 200],
        ['f1.txt', false, 200],
      ],
    );
    assert.equal(fewer.totalFiles, 5);
    assert.equal(fewer.truncated, true);

    const short = await store.diff(repo, null, shas[0]!, {
      maxFiles: 10,
      maxPatchBytes: 1000,
      maxTotalBytes: 2500,
    });
    assert.equal(short.files.length, 5);
    const [first, second, third, fourth] = short.files;
    assert.equal(first!.truncated, true);
    assert.ok(first!.patch.length <= 1000 && first!.patch.endsWith('\n'), 'cut at a line end');
    assert.equal(first!.additions, 200, 'line counts are of the whole file');
    assert.equal(second!.truncated, true);
    assert.equal(third!.truncated, true);
    assert.ok(third!.patch.length < 1000);
    assert.deepEqual([fourth!.patch, fourth!.truncated], ['', true]);
    assert.equal(short.truncated, true);
  });

  test('unknown revisions, bad revisions and missing repositories are typed errors', async () => {
    const { repo, shas } = await commits([{ path: 'a', content: 'a\n' }]);
    await assert.rejects(store.diff(repo, 'f'.repeat(40), shas[0]!), RevisionNotFoundError);
    await assert.rejects(store.diff(repo, shas[0]!, 'e'.repeat(40)), RevisionNotFoundError);
    await assert.rejects(store.diff(repo, '--output=/tmp/x', shas[0]!), GitInputError);
    await assert.rejects(store.diff('nope_repo', null, shas[0]!), RepoNotFoundError);
  });
});

describe('splitting a streamed patch', () => {
  test('headers split across chunks are found: byte by byte gives the same sections as at once', () => {
    const patch = Buffer.from(
      'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-diff --git a b\n+y\ndiff --git a/z b/z\n+z\n',
    );
    const caps = { maxSectionBytes: 1000, maxTotalBytes: 1000, maxSections: 10, maxReadBytes: 10_000 };
    const whole = new PatchSplitter(caps);
    whole.push(patch);
    const bytes = new PatchSplitter(caps);
    for (const byte of patch) bytes.push(Buffer.from([byte]));
    assert.deepEqual(bytes.sections(), whole.sections());
    assert.deepEqual(
      whole.sections().map((s) => s.patch),
      [
        'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-diff --git a b\n+y\n',
        'diff --git a/z b/z\n+z\n',
      ],
    );
  });

  test('it asks to stop when the next unwanted section begins', () => {
    const splitter = new PatchSplitter({
      maxSectionBytes: 100,
      maxTotalBytes: 100,
      maxSections: 1,
      maxReadBytes: 10_000,
    });
    assert.equal(splitter.push(Buffer.from('diff --git a/x b/x\n+x\n')), undefined);
    assert.equal(splitter.push(Buffer.from('diff --git a/y b/y\n+y\n')), 'stop');
    assert.deepEqual(splitter.sections(), [{ patch: 'diff --git a/x b/x\n+x\n', truncated: false }]);
  });
});
