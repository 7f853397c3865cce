/**
 * History: the commits reachable from a revision (newest first) and the paths that differ between two
 * revisions. Both are one git process each.
 */
import type { StoreContext } from './context.ts';
import { GitError, GitInputError } from './errors.ts';
import { revToGit } from './names.ts';

/** A commit as listed by {@link log}. */
export type LogEntry = { sha: string; parents: string[]; message: string; authoredAt: Date };

const MAX_LOG = 10_000;
/** The store creates SHA-1 repositories (git's default object format). */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** Up to `limit` commits reachable from `rev`, newest first (git's default order). */
export async function log(
  context: StoreContext,
  repo: string,
  rev: string,
  limit: number,
): Promise<LogEntry[]> {
  const gitRev = revToGit(rev);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LOG) {
    throw new GitInputError('rev', String(limit), `limit is an integer from 1 to ${MAX_LOG}`);
  }
  let out: Buffer;
  try {
    out = await context.git(repo, [
      'log',
      '-z',
      '--format=%H%n%P%n%at%n%B',
      `--max-count=${limit}`,
      gitRev,
      '--',
    ]);
  } catch (error) {
    throw await context.explain(repo, error, { given: rev, git: gitRev });
  }
  return out
    .toString('utf8')
    .split('\0')
    .filter((record) => record !== '')
    .map((record) => {
      const [sha = '', parents = '', seconds = '', ...rest] = record.split('\n');
      if (!sha || !/^\d+$/.test(seconds)) {
        throw new GitError(['log'], {
          exitCode: 0,
          signal: null,
          stderr: `bad log record ${record.slice(0, 200)}`,
        });
      }
      return {
        sha,
        parents: parents === '' ? [] : parents.split(' '),
        message: rest.join('\n'),
        authoredAt: new Date(Number(seconds) * 1000),
      };
    });
}

/**
 * Paths added, modified or deleted between two revisions' trees, sorted. `fromRev` null compares
 * with the empty tree (every file of `toRev`).
 */
export async function changedPaths(
  context: StoreContext,
  repo: string,
  fromRev: string | null,
  toRev: string,
): Promise<string[]> {
  const to = revToGit(toRev);
  const from = fromRev === null ? EMPTY_TREE : revToGit(fromRev);
  let out: Buffer;
  try {
    out = await context.git(repo, [
      'diff-tree',
      '-r',
      '-z',
      '--no-renames',
      '--name-only',
      `${from}^{tree}`,
      `${to}^{tree}`,
      '--',
    ]);
  } catch (error) {
    for (const [given, git] of [
      [fromRev, from],
      [toRev, to],
    ] as const) {
      if (given !== null && !(await context.resolves(repo, git)))
        throw await context.explain(repo, error, { given, git });
    }
    throw await context.explain(repo, error);
  }
  return out
    .toString('utf8')
    .split('\0')
    .filter((path) => path !== '')
    .sort();
}
