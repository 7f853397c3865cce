/**
 * Reading trees back out of a commit: a whole tree or one directory (`ls-tree -r` once, then all
 * contents through one `cat-file --batch`), or a single file.
 */
import type { StoreContext } from './context.ts';
import { GitError, RevisionNotFoundError } from './errors.ts';
import { checkFilePath, revToGit } from './names.ts';
import { parseCatFileBatch, parseLsTree } from './tree-read.ts';

/** A file read back from a tree; `path` is always from the tree root. */
export type StoredFile = { path: string; content: Buffer };

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/**
 * Every file of `rev`'s tree, or of the directory `prefix` in it (an absent directory gives []),
 * sorted by path. Paths stay relative to the tree root, prefix included.
 */
export async function readFiles(
  context: StoreContext,
  repo: string,
  rev: string,
  prefix?: string,
): Promise<StoredFile[]> {
  const gitRev = revToGit(rev);
  const dir = prefix === undefined || prefix === '' ? undefined : checkFilePath(prefix.replace(/\/$/, ''));
  const args = ['ls-tree', '-r', '-z', `${gitRev}^{commit}`];
  if (dir !== undefined) args.push('--', `${dir}/`);
  let listing: Buffer;
  try {
    listing = await context.git(repo, args);
  } catch (error) {
    throw await context.explain(repo, error, { given: rev, git: gitRev });
  }
  const entries = parseLsTree(listing).filter((e) => dir === undefined || e.path.startsWith(`${dir}/`));
  if (entries.length === 0) return [];
  let batch: Buffer;
  try {
    batch = await context.git(repo, ['cat-file', '--batch'], entries.map((e) => `${e.sha}\n`).join(''));
  } catch (error) {
    throw await context.explain(repo, error);
  }
  const objects = parseCatFileBatch(batch, entries.length);
  return entries
    .map((entry, i) => {
      const object = objects[i];
      if (object?.type !== 'blob') {
        throw new GitError(['cat-file', '--batch'], {
          exitCode: 0,
          signal: null,
          stderr: `blob ${entry.sha} missing`,
        });
      }
      return { path: entry.path, content: object.content };
    })
    .sort(byPath);
}

/** One file of `rev`'s tree; undefined when there is no file at `path` (absent, or a directory). */
export async function readFile(
  context: StoreContext,
  repo: string,
  rev: string,
  path: string,
): Promise<Buffer | undefined> {
  const gitRev = revToGit(rev);
  checkFilePath(path);
  let batch: Buffer;
  try {
    batch = await context.git(repo, ['cat-file', '--batch'], `${gitRev}:${path}\n`);
  } catch (error) {
    throw await context.explain(repo, error);
  }
  const [object] = parseCatFileBatch(batch, 1);
  if (object === undefined) {
    if (!(await context.resolves(repo, gitRev))) throw new RevisionNotFoundError(repo, rev);
    return undefined;
  }
  return object.type === 'blob' ? object.content : undefined;
}
