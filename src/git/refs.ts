/**
 * Branches: reading heads, and creating, moving and deleting branches only by compare-and-swap
 * (`git update-ref <ref> <new> <old>`), so two writers can never silently overwrite each other. A lost
 * swap is a StaleHeadError carrying where the branch is now.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { StoreContext } from './context.ts';
import { RepoNotFoundError, StaleHeadError } from './errors.ts';
import { checkBranch, checkSha } from './names.ts';

/** A branch and the commit it points at. */
export type Branch = { name: string; head: string };

const HEADS = 'refs/heads/';

/** The all-zero id: as an old value, "the ref must not exist". */
export function zeroId(length: number): string {
  return '0'.repeat(length);
}

async function listRefs(context: StoreContext, repo: string, pattern: string): Promise<Branch[]> {
  try {
    const out = await context.git(repo, ['for-each-ref', '--format=%(refname)%00%(objectname)', pattern]);
    return out
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const [name = '', head = ''] = line.split('\0');
        return { name, head };
      });
  } catch (error) {
    throw await context.explain(repo, error);
  }
}

export async function head(context: StoreContext, repo: string, branch: string): Promise<string | null> {
  const ref = HEADS + checkBranch(branch);
  const read = await readRefFiles(context.repoDir(repo), ref);
  if (read !== undefined) return read;
  if (!(await context.exists(repo))) throw new RepoNotFoundError(repo);
  // for-each-ref also lists refs below the pattern as a directory, hence the exact match.
  return (await listRefs(context, repo, ref)).find((r) => r.name === ref)?.head ?? null;
}

const REF_VALUE = /^([0-9a-f]{40}|[0-9a-f]{64})\n?$/;

/**
 * A ref read the way git's files backend stores it, without running git (a process costs 50–100 ms on
 * a busy machine; this is on every render's path): the loose file `<dir>/<ref>`, else its line in
 * `packed-refs`. Loose refs are replaced by rename and packed ones are written before their loose file
 * is removed, so a concurrent update is seen either before or after. Undefined when the answer needs
 * git (a symbolic ref, a reftable repository, an unreadable file).
 */
async function readRefFiles(dir: string, ref: string): Promise<string | null | undefined> {
  try {
    const loose = await fs.readFile(path.join(dir, ref), 'utf8');
    return REF_VALUE.exec(loose)?.[1] ?? undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'EISDIR' && code !== 'ENOTDIR') return undefined;
  }
  let packed: string;
  try {
    packed = await fs.readFile(path.join(dir, 'packed-refs'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
    try {
      await fs.access(path.join(dir, 'HEAD'));
    } catch {
      return undefined; // no repository: git explains
    }
    try {
      await fs.access(path.join(dir, 'reftable'));
      return undefined;
    } catch {
      return null;
    }
  }
  for (const line of packed.split('\n')) {
    if (line.startsWith('#') || line.startsWith('^')) continue;
    const space = line.indexOf(' ');
    if (space > 0 && line.slice(space + 1) === ref)
      return REF_VALUE.exec(line.slice(0, space))?.[1] ?? undefined;
  }
  return null;
}

/** Every branch, sorted by name. */
export async function branches(context: StoreContext, repo: string): Promise<Branch[]> {
  return (await listRefs(context, repo, HEADS))
    .map((r) => ({ name: r.name.slice(HEADS.length), head: r.head }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Creates `branch` at `fromSha`; StaleHeadError when it already exists. */
export async function createBranch(
  context: StoreContext,
  repo: string,
  branch: string,
  fromSha: string,
): Promise<void> {
  const ref = HEADS + checkBranch(branch);
  checkSha(fromSha);
  try {
    await context.git(repo, ['update-ref', ref, fromSha, zeroId(fromSha.length)]);
  } catch (error) {
    const current = await head(context, repo, branch).catch(() => null);
    if (current !== null) throw new StaleHeadError(repo, branch, null, current);
    throw await context.explain(repo, error, { given: fromSha, git: fromSha });
  }
}

/**
 * Deletes `branch`. With `expectedHead`, only if it is there (StaleHeadError otherwise); without, from
 * wherever it is. Resolves false when there was no branch to delete (and none was expected).
 */
export async function deleteBranch(
  context: StoreContext,
  repo: string,
  branch: string,
  expectedHead?: string,
): Promise<boolean> {
  const ref = HEADS + checkBranch(branch);
  if (expectedHead !== undefined) checkSha(expectedHead);
  if (expectedHead === undefined) {
    if ((await head(context, repo, branch)) === null) return false;
    try {
      await context.git(repo, ['update-ref', '-d', ref]);
      return true;
    } catch (error) {
      throw await context.explain(repo, error);
    }
  }
  try {
    await context.git(repo, ['update-ref', '-d', ref, expectedHead]);
    return true;
  } catch (error) {
    const current = await head(context, repo, branch).catch(() => expectedHead);
    if (current !== expectedHead) throw new StaleHeadError(repo, branch, expectedHead, current);
    throw await context.explain(repo, error);
  }
}
