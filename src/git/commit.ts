/**
 * Writing a commit: one `git fast-import` writes the objects and points a temporary ref at the new
 * commit (so nothing can garbage-collect it meanwhile), then one `git update-ref --stdin` transaction
 * moves the branch from the expected head to the new commit and drops the temporary ref. If the branch
 * moved, the transaction changes nothing and the caller gets StaleHeadError.
 */
import { randomBytes } from 'node:crypto';
import type { StoreContext } from './context.ts';
import { GitError, GitInputError, StaleHeadError } from './errors.ts';
import { importStream, type Identity, type TreeFile } from './fast-import.ts';
import { checkBranch, checkSha, isSha } from './names.ts';
import { head, zeroId } from './refs.ts';

/** Where fast-import leaves commits until their branch has moved; hidden from clients. */
export const TEMP_REF_PREFIX = 'refs/atoll/tmp/';

export const DEFAULT_IDENTITY: Identity = { name: 'Atoll', email: 'atoll@localhost' };

export type CommitInput = {
  branch: string;
  /** The whole tree of the commit: exactly these files, nothing else. */
  files: readonly TreeFile[];
  message: string;
  /** Where the branch must be now; null = the branch must not exist yet. */
  expectedHead: string | null;
  /** Default: `[expectedHead]`, or no parent when expectedHead is null. Two or more = a merge. */
  parents?: readonly string[];
  /** Default: Atoll <atoll@localhost>. */
  author?: Identity;
  /** Default: Atoll <atoll@localhost>. */
  committer?: Identity;
  /** Author and committer date; default now. Stored in whole seconds, UTC. */
  date?: Date;
};

export async function commit(
  context: StoreContext,
  inFlight: Set<string>,
  repo: string,
  input: CommitInput,
): Promise<string> {
  const branch = checkBranch(input.branch);
  const { expectedHead } = input;
  if (expectedHead === undefined) {
    throw new GitInputError(
      'sha',
      'undefined',
      'expectedHead is required: a commit sha, or null for a new branch',
    );
  }
  if (expectedHead !== null) checkSha(expectedHead);
  const parents = input.parents ?? (expectedHead ? [expectedHead] : []);
  const tempRef = TEMP_REF_PREFIX + randomBytes(10).toString('hex');
  const stream = importStream({
    ref: tempRef,
    files: input.files,
    message: input.message,
    parents,
    author: input.author ?? DEFAULT_IDENTITY,
    committer: input.committer ?? DEFAULT_IDENTITY,
    date: input.date ?? new Date(),
  });
  inFlight.add(tempRef);
  try {
    let sha: string;
    try {
      sha = (await context.git(repo, ['fast-import', '--quiet', '--done', '--date-format=raw'], stream))
        .toString('utf8')
        .trim();
    } catch (error) {
      const missing = [];
      for (const parent of parents) if (!(await context.resolves(repo, parent))) missing.push(parent);
      throw await context.explain(
        repo,
        error,
        missing[0] ? { given: missing[0], git: missing[0] } : undefined,
      );
    }
    if (!isSha(sha)) {
      throw new GitError(['fast-import'], { exitCode: 0, signal: null, stderr: `unexpected output ${sha}` });
    }
    const ref = `refs/heads/${branch}`;
    const old = expectedHead ?? zeroId(sha.length);
    try {
      await context.git(repo, ['update-ref', '--stdin'], `update ${ref} ${sha} ${old}\ndelete ${tempRef}\n`);
    } catch (error) {
      await context.git(repo, ['update-ref', '-d', tempRef]).catch(() => {});
      const current = await head(context, repo, branch);
      if (current !== expectedHead) throw new StaleHeadError(repo, branch, expectedHead, current);
      throw await context.explain(repo, error);
    }
    return sha;
  } finally {
    inFlight.delete(tempRef);
  }
}
