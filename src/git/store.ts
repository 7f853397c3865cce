/**
 * The git store: one bare repository per name under a root directory (`<root>/<repo>.git`), written
 * only through plumbing (no working trees). It is the installs domain's way to commit rendered
 * manifests and read them back, and what the smart-HTTP handler serves. It holds no database state:
 * the repositories are the state.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { commit, TEMP_REF_PREFIX, type CommitInput } from './commit.ts';
import { createStoreContext } from './context.ts';
import { diff, type DiffLimits, type TreeDiff } from './diff.ts';
import { fetchBranch, fork } from './fork.ts';
import { changedPaths, log, type LogEntry } from './history.ts';
import { readFile, readFiles, type StoredFile } from './read.ts';
import { branches, createBranch, deleteBranch, head, type Branch } from './refs.ts';
import { runGit, type GitSetup } from './run.ts';

export type { Branch, CommitInput, LogEntry, StoredFile };
export type { DiffLimits, FileChangeStatus, FileDiff, TreeDiff } from './diff.ts';
export { DEFAULT_DIFF_LIMITS } from './diff.ts';
export type { Identity, TreeFile } from './fast-import.ts';

export type GitStoreOptions = {
  /** The directory holding the repositories; created on first init. */
  root: string;
  /** The git executable (default `git`, looked up on a standard system PATH). */
  git?: string;
};

export type GitStore = {
  /** The absolute root directory. */
  readonly root: string;
  /** How git is run (the HTTP handler runs http-backend the same way). */
  readonly setup: GitSetup;
  /** `<root>/<repo>.git`; throws GitInputError unless `repo` matches `[a-z0-9_]{1,64}`. */
  repoDir(repo: string): string;
  /** Whether the repository exists. */
  exists(repo: string): Promise<boolean>;
  /** Creates the bare repository (default branch `main`) unless it exists; safe to call concurrently. */
  init(repo: string): Promise<void>;
  /**
   * Commits a tree of exactly `files` and moves the branch from `expectedHead` to it atomically.
   * Resolves with the commit sha; StaleHeadError (branch untouched) when the branch was elsewhere.
   */
  commit(repo: string, input: CommitInput): Promise<string>;
  /** The commit the branch points at, or null when there is no such branch. */
  head(repo: string, branch: string): Promise<string | null>;
  /** Every file of `rev` (a sha, `refs/...` or a branch), or of directory `prefix`, sorted by path. */
  readFiles(repo: string, rev: string, prefix?: string): Promise<StoredFile[]>;
  /** One file of `rev`; undefined when no file is at `path`. */
  readFile(repo: string, rev: string, path: string): Promise<Buffer | undefined>;
  /** Creates a branch at a commit; StaleHeadError when it already exists. */
  createBranch(repo: string, branch: string, fromSha: string): Promise<void>;
  /** Deletes a branch (only from `expectedHead` when given); false when there was none. */
  deleteBranch(repo: string, branch: string, expectedHead?: string): Promise<boolean>;
  /** Every branch with its head, sorted by name. */
  branches(repo: string): Promise<Branch[]>;
  /** Up to `limit` (1–10,000) commits reachable from `rev`, newest first. */
  log(repo: string, rev: string, limit: number): Promise<LogEntry[]>;
  /** Paths that differ between two revisions (`fromRev` null = the empty tree), sorted. */
  changedPaths(repo: string, fromRev: string | null, toRev: string): Promise<string[]>;
  /**
   * The files that differ between two revisions (`fromRev` null = the empty tree) with their line counts
   * and unified patches, within `limits` (default DEFAULT_DIFF_LIMITS); renames are not detected.
   */
  diff(repo: string, fromRev: string | null, toRev: string, limits?: DiffLimits): Promise<TreeDiff>;
  /**
   * Housekeeping, off the hot path: drops temporary refs left by commits that died half-way (not those
   * of commits in flight in this store) and runs `git gc --auto` (which repacks only past git's
   * thresholds). Resolves with the number of temporary refs dropped.
   */
  maintain(repo: string): Promise<{ droppedTempRefs: number }>;
  /** Deletes the repository directory (nothing when it does not exist). */
  remove(repo: string): Promise<void>;
  /**
   * Creates `forkRepo` sharing `parentRepo`'s objects, its `main` at `sha`; an existing fork is kept.
   * The parent must never lose `sha` from its history (installs only ever move main forward).
   */
  fork(parentRepo: string, forkRepo: string, sha: string): Promise<void>;
  /**
   * Fetches `branch` of `fromRepo` into `intoRepo` (so its commits can become merge parents) and
   * checks it is at `expectSha` (StaleHeadError otherwise).
   */
  fetchBranch(intoRepo: string, fromRepo: string, branch: string, expectSha: string): Promise<void>;
};

export function createGitStore(options: GitStoreOptions): GitStore {
  const context = createStoreContext(options.root, options.git ?? 'git');
  const initializing = new Map<string, Promise<void>>();
  const inFlight = new Set<string>();

  async function initOnce(repo: string): Promise<void> {
    const dir = context.repoDir(repo);
    if (await context.exists(repo)) return;
    await fs.mkdir(context.root, { recursive: true, mode: 0o700 });
    // Built aside and renamed into place, so a repository is either absent or complete, and of two
    // racing creators (processes included) one wins the rename and the other finds it done.
    const temp = path.join(context.root, `.init-${repo}-${randomBytes(6).toString('hex')}`);
    try {
      await runGit(context.setup, [
        'init',
        '--quiet',
        '--bare',
        '--template=',
        '--initial-branch=main',
        temp,
      ]);
      try {
        await fs.rename(temp, dir);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (!((code === 'ENOTEMPTY' || code === 'EEXIST') && (await context.exists(repo)))) throw error;
      }
    } finally {
      await fs.rm(temp, { recursive: true, force: true });
    }
  }

  return {
    root: context.root,
    setup: context.setup,
    repoDir: context.repoDir,
    exists: (repo) => context.exists(repo),
    async init(repo) {
      context.repoDir(repo);
      let pending = initializing.get(repo);
      if (!pending) {
        pending = initOnce(repo).finally(() => initializing.delete(repo));
        initializing.set(repo, pending);
      }
      return pending;
    },
    commit: (repo, input) => commit(context, inFlight, repo, input),
    head: (repo, branch) => head(context, repo, branch),
    readFiles: (repo, rev, prefix) => readFiles(context, repo, rev, prefix),
    readFile: (repo, rev, filePath) => readFile(context, repo, rev, filePath),
    createBranch: (repo, branch, fromSha) => createBranch(context, repo, branch, fromSha),
    deleteBranch: (repo, branch, expectedHead) => deleteBranch(context, repo, branch, expectedHead),
    branches: (repo) => branches(context, repo),
    log: (repo, rev, limit) => log(context, repo, rev, limit),
    changedPaths: (repo, fromRev, toRev) => changedPaths(context, repo, fromRev, toRev),
    diff: (repo, fromRev, toRev, limits) => diff(context, repo, fromRev, toRev, limits),
    async maintain(repo) {
      let dropped = 0;
      try {
        const refs = (await context.git(repo, ['for-each-ref', '--format=%(refname)', TEMP_REF_PREFIX]))
          .toString('utf8')
          .split('\n')
          .filter((ref) => ref !== '' && !inFlight.has(ref));
        if (refs.length > 0) {
          await context.git(repo, ['update-ref', '--stdin'], refs.map((ref) => `delete ${ref}\n`).join(''));
          dropped = refs.length;
        }
        await context.git(repo, ['gc', '--auto', '--quiet']);
      } catch (error) {
        throw await context.explain(repo, error);
      }
      return { droppedTempRefs: dropped };
    },
    fork: (parentRepo, forkRepo, sha) => fork(context, parentRepo, forkRepo, sha),
    fetchBranch: (intoRepo, fromRepo, branch, expectSha) =>
      fetchBranch(context, intoRepo, fromRepo, branch, expectSha),
    async remove(repo) {
      await fs.rm(context.repoDir(repo), { recursive: true, force: true });
    },
  };
}
