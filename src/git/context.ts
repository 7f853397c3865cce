/**
 * What the store's parts share: the root, the git setup, running git against one repository, and
 * turning a failed command into the typed error that explains it. Explaining costs a process or two,
 * so it happens only after a failure: the path that succeeds runs just the command itself.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { GitError, RepoNotFoundError, RevisionNotFoundError } from './errors.ts';
import { checkRepoName } from './names.ts';
import { runGit, streamGit, type GitSetup } from './run.ts';

export type StoreContext = {
  readonly root: string;
  readonly setup: GitSetup;
  repoDir(repo: string): string;
  /** `git --git-dir=<repo dir> <args>`; resolves with stdout. */
  git(repo: string, args: string[], input?: string | Buffer): Promise<Buffer>;
  /** `git --git-dir=<repo dir> <args>`, its stdout handed over in chunks until `onStdout` says stop. */
  stream(
    repo: string,
    args: string[],
    onStdout: (chunk: Buffer) => 'stop' | void,
  ): Promise<{ stopped: boolean }>;
  exists(repo: string): Promise<boolean>;
  /** Whether `gitRev` names a commit in the repository. */
  resolves(repo: string, gitRev: string): Promise<boolean>;
  /**
   * The error to throw for a failed command: RepoNotFoundError when the repository is missing,
   * RevisionNotFoundError when `rev` (as given by the caller, `gitRev` as handed to git) names no
   * commit, otherwise the error itself.
   */
  explain(repo: string, error: unknown, rev?: { given: string; git: string }): Promise<unknown>;
};

export function createStoreContext(root: string, git: string): StoreContext {
  const absoluteRoot = path.resolve(root);
  const setup: GitSetup = { git, home: absoluteRoot };
  const repoDir = (repo: string) => path.join(absoluteRoot, `${checkRepoName(repo)}.git`);
  const context: StoreContext = {
    root: absoluteRoot,
    setup,
    repoDir,
    git: (repo, args, input) =>
      runGit(setup, [`--git-dir=${repoDir(repo)}`, ...args], input === undefined ? {} : { input }),
    stream: (repo, args, onStdout) => streamGit(setup, [`--git-dir=${repoDir(repo)}`, ...args], onStdout),
    async exists(repo) {
      try {
        await fs.access(path.join(repoDir(repo), 'HEAD'));
        return true;
      } catch {
        return false;
      }
    },
    async resolves(repo, gitRev) {
      try {
        await context.git(repo, ['rev-parse', '--verify', '--quiet', `${gitRev}^{commit}`]);
        return true;
      } catch {
        return false;
      }
    },
    async explain(repo, error, rev) {
      if (!(error instanceof GitError)) return error;
      if (!(await context.exists(repo))) return new RepoNotFoundError(repo);
      if (rev && !(await context.resolves(repo, rev.git))) return new RevisionNotFoundError(repo, rev.given);
      return error;
    },
  };
  return context;
}
