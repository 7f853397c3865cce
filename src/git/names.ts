/**
 * Validation of everything that reaches a git command line or a path on disk: repository names, branch
 * names, revisions, file paths inside a tree, shas and identities. Refusing early (with GitInputError)
 * keeps names from escaping the store's root, from being read as options, and keeps trees clean of
 * entries that git clients refuse to check out.
 */
import { GitInputError } from './errors.ts';

const REPO = /^[a-z0-9_]{1,64}$/;
const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const BRANCH_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
const CONTROL = /[\x00-\x1f\x7f]/;
const MAX_BRANCH = 200;
const MAX_PATH_BYTES = 4096;

/** A repository name: `[a-z0-9_]{1,64}`. Returns it, or throws GitInputError. */
export function checkRepoName(repo: string): string {
  if (typeof repo !== 'string' || !REPO.test(repo)) {
    throw new GitInputError('repo', String(repo), 'a repository name is 1-64 characters of a-z, 0-9 and _');
  }
  return repo;
}

/**
 * A branch name (what follows `refs/heads/`): slash-separated segments of letters, digits, `.`, `_`
 * and `-`, none starting with `.` or `-`: a conservative subset of what git's check-ref-format allows.
 */
export function checkBranch(branch: string): string {
  const fail = (reason: string): never => {
    throw new GitInputError('branch', String(branch), reason);
  };
  if (typeof branch !== 'string' || branch.length === 0) fail('a branch name is required');
  if (branch.length > MAX_BRANCH) fail(`a branch name is at most ${MAX_BRANCH} characters`);
  if (branch === 'HEAD') fail('HEAD is not a branch');
  if (branch.startsWith('refs/')) fail('give the branch name without refs/heads/');
  for (const segment of branch.split('/')) {
    if (!BRANCH_SEGMENT.test(segment)) {
      fail('segments are letters, digits, ".", "_" and "-", not empty and not starting with "." or "-"');
    }
    if (segment.endsWith('.') || segment.endsWith('.lock') || segment.includes('..')) {
      fail('a segment may not end with "." or ".lock" nor contain ".."');
    }
  }
  return branch;
}

/** A full commit sha (40 hex digits for SHA-1 repositories, 64 for SHA-256), lower case. */
export function checkSha(sha: string, field: 'sha' = 'sha'): string {
  if (typeof sha !== 'string' || !SHA.test(sha)) {
    throw new GitInputError(field, String(sha), 'a full lower-case hexadecimal commit id is required');
  }
  return sha;
}

export function isSha(value: string): boolean {
  return SHA.test(value);
}

/**
 * A revision as the store's readers take it: a full commit sha, a full ref name (`refs/...`), or a
 * branch name (resolved as `refs/heads/<branch>`, so a branch never collides with a tag or a sha).
 * Returns what to hand git.
 */
export function revToGit(rev: string): string {
  if (typeof rev !== 'string') throw new GitInputError('rev', String(rev), 'a revision is required');
  if (SHA.test(rev)) return rev;
  if (rev.startsWith('refs/')) {
    try {
      checkBranch(rev.slice('refs/'.length));
    } catch {
      throw new GitInputError('rev', rev, 'not a valid ref name');
    }
    return rev;
  }
  try {
    return `refs/heads/${checkBranch(rev)}`;
  } catch {
    throw new GitInputError('rev', rev, 'a revision is a full commit sha, a refs/... name or a branch name');
  }
}

/**
 * A file path inside a tree: relative, `/`-separated, no empty, `.` or `..` segments, no `.git`
 * segment (git clients refuse to check those out), no control characters.
 */
export function checkFilePath(path: string): string {
  const fail = (reason: string): never => {
    throw new GitInputError('path', String(path), reason);
  };
  if (typeof path !== 'string' || path.length === 0) fail('a path is required');
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) fail(`a path is at most ${MAX_PATH_BYTES} bytes`);
  if (path.startsWith('/')) fail('paths are relative to the tree root');
  if (CONTROL.test(path)) fail('control characters are not allowed');
  for (const segment of path.split('/')) {
    if (segment === '') fail('empty segments ("a//b", a trailing "/") are not allowed');
    if (segment === '.' || segment === '..') fail('"." and ".." segments are not allowed');
    if (segment.toLowerCase() === '.git') fail('".git" segments are not allowed');
  }
  return path;
}

/** A name or email in an author/committer line: no newlines, angle brackets or NUL. */
export function checkIdentity(identity: { name: string; email: string }): { name: string; email: string } {
  for (const value of [identity?.name, identity?.email]) {
    if (typeof value !== 'string' || value.length === 0 || value.length > 200 || /[<>\n\r\0]/.test(value)) {
      throw new GitInputError(
        'identity',
        String(value),
        'names and emails are 1-200 characters without <, >, NUL or line breaks',
      );
    }
  }
  return identity;
}
