/**
 * Forks and fetching between the store's own repositories. A fork is a bare repository that borrows
 * its parent's objects through `objects/info/alternates` (no copy, created in milliseconds) with one
 * branch, `main`, at the commit it was forked from; pushes into the fork add only their own objects.
 * Installs never rewrite their main branch (restores are forward commits), so every object a fork
 * borrows stays reachable in the parent.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { StoreContext } from './context.ts';
import { GitError, RepoNotFoundError, RevisionNotFoundError, StaleHeadError } from './errors.ts';
import { checkBranch, checkRepoName, checkSha } from './names.ts';
import { zeroId } from './refs.ts';
import { runGit } from './run.ts';

/** Where fetched branches of other repositories are kept (they keep the objects alive until merged). */
export const FETCH_REF_PREFIX = 'refs/atoll/fetched/';

/**
 * Creates `forkRepo` from `parentRepo` with `main` at `sha` (a commit of the parent). Idempotent: an
 * existing fork is left as it is.
 */
export async function fork(
  context: StoreContext,
  parentRepo: string,
  forkRepo: string,
  sha: string,
): Promise<void> {
  checkRepoName(parentRepo);
  checkRepoName(forkRepo);
  checkSha(sha);
  if (await context.exists(forkRepo)) return;
  if (!(await context.exists(parentRepo))) throw new RepoNotFoundError(parentRepo);
  if (!(await context.resolves(parentRepo, sha))) throw new RevisionNotFoundError(parentRepo, sha);
  const temp = path.join(context.root, `.fork-${forkRepo}-${randomBytes(6).toString('hex')}`);
  try {
    await runGit(context.setup, ['init', '--quiet', '--bare', '--template=', '--initial-branch=main', temp]);
    const alternates = path.join(temp, 'objects', 'info');
    await fs.mkdir(alternates, { recursive: true });
    await fs.writeFile(
      path.join(alternates, 'alternates'),
      `${path.join(context.repoDir(parentRepo), 'objects')}\n`,
    );
    await runGit(context.setup, [
      `--git-dir=${temp}`,
      'update-ref',
      'refs/heads/main',
      sha,
      zeroId(sha.length),
    ]);
    try {
      await fs.rename(temp, context.repoDir(forkRepo));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (!((code === 'ENOTEMPTY' || code === 'EEXIST') && (await context.exists(forkRepo)))) throw error;
    }
  } finally {
    await fs.rm(temp, { recursive: true, force: true });
  }
}

/**
 * Brings `branch` of `fromRepo` into `intoRepo` (under refs/atoll/fetched/<fromRepo>/<branch>) and
 * checks that it is at `expectSha`: StaleHeadError when the branch moved since the caller looked.
 */
export async function fetchBranch(
  context: StoreContext,
  intoRepo: string,
  fromRepo: string,
  branch: string,
  expectSha: string,
): Promise<void> {
  checkRepoName(fromRepo);
  checkBranch(branch);
  checkSha(expectSha);
  if (!(await context.exists(fromRepo))) throw new RepoNotFoundError(fromRepo);
  const ref = `${FETCH_REF_PREFIX}${fromRepo}/${branch}`;
  try {
    await context.git(intoRepo, [
      'fetch',
      '--quiet',
      '--no-tags',
      '--no-write-fetch-head',
      '--force',
      context.repoDir(fromRepo),
      `refs/heads/${branch}:${ref}`,
    ]);
  } catch (error) {
    if (error instanceof GitError && (await context.exists(intoRepo))) {
      const from = await context
        .git(fromRepo, ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`])
        .catch(() => null);
      if (from === null) throw new StaleHeadError(fromRepo, branch, expectSha, null);
    }
    throw await context.explain(intoRepo, error);
  }
  const fetched = (await context.git(intoRepo, ['rev-parse', '--verify', ref])).toString('utf8').trim();
  if (fetched !== expectSha) throw new StaleHeadError(fromRepo, branch, expectSha, fetched);
}
