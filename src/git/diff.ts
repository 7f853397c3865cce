/**
 * The diff between two revisions, for people to read: each changed file with its status, its added and
 * deleted line counts and its part of git's unified patch, within caps on files and bytes. Two git
 * processes: a listing (`diff-tree --raw --numstat`, every changed file) and the patch, read as a
 * stream and stopped as soon as the caps are reached, so a huge diff costs no more than a capped one.
 * Renames are not detected (a renamed file is a deletion and an addition), as in changedPaths.
 */
import type { StoreContext } from './context.ts';
import { GitError } from './errors.ts';
import { EMPTY_TREE } from './history.ts';
import { revToGit } from './names.ts';
import { PatchSplitter, type PatchSection } from './patch-sections.ts';

export type DiffLimits = {
  /** Files listed at most (the listing says how many changed in all). */
  maxFiles: number;
  /** Bytes of one file's patch. */
  maxPatchBytes: number;
  /** Bytes of all patches together. */
  maxTotalBytes: number;
};

export const DEFAULT_DIFF_LIMITS: Readonly<DiffLimits> = {
  maxFiles: 1000,
  maxPatchBytes: 256 * 1024,
  maxTotalBytes: 2 * 1024 * 1024,
};

/** Patch output read at most, kept or not: past this, the remaining patches are left out. */
const MAX_READ_BYTES = 64 * 1024 * 1024;

export type FileChangeStatus = 'added' | 'modified' | 'deleted';

export type FileDiff = {
  path: string;
  /** A change of file type (a symlink becoming a file…) or mode is `modified`. */
  status: FileChangeStatus;
  additions: number;
  deletions: number;
  /** git found the content binary: no line counts, and the patch says only that the files differ. */
  binary: boolean;
  /** This file's part of `git diff` output, headers included (`diff --git a/… b/…`). */
  patch: string;
  /** `patch` was cut short (at a line end) or left empty by the byte caps. */
  truncated: boolean;
};

export type TreeDiff = {
  /** The changed files in git's path order, at most `maxFiles`. */
  files: FileDiff[];
  /** How many files changed in all (more than `files.length` when the listing was capped). */
  totalFiles: number;
  /** Some file was left out or some patch was cut short. */
  truncated: boolean;
};

type Listed = Omit<FileDiff, 'patch' | 'truncated'> & { typeChange: boolean };

function statusOf(letter: string, meta: string): { status: FileChangeStatus; typeChange: boolean } {
  switch (letter) {
    case 'A':
      return { status: 'added', typeChange: false };
    case 'D':
      return { status: 'deleted', typeChange: false };
    case 'M':
      return { status: 'modified', typeChange: false };
    case 'T':
      return { status: 'modified', typeChange: true };
    default:
      throw new GitError(['diff-tree'], {
        exitCode: 0,
        signal: null,
        stderr: `unexpected raw entry ${meta}`,
      });
  }
}

/** `--raw` entries (`:modes shas status\0path\0`) and then as many `--numstat` ones (`adds\tdels\tpath\0`). */
export function parseListing(out: Buffer): Listed[] {
  const fields = out.toString('utf8').split('\0');
  const raw: { meta: string; path: string }[] = [];
  let i = 0;
  while (i + 1 < fields.length && fields[i]!.startsWith(':')) {
    raw.push({ meta: fields[i]!, path: fields[i + 1]! });
    i += 2;
  }
  return raw.map(({ meta, path }, k) => {
    const [adds = '', dels = ''] = (fields[i + k] ?? '').split('\t', 2);
    const binary = adds === '-';
    return {
      path,
      ...statusOf(meta.slice(-1), meta),
      additions: binary ? 0 : Number(adds),
      deletions: binary ? 0 : Number(dels),
      binary,
    };
  });
}

/** Files and patch sections paired in order; a type change is two sections (a deletion, an addition). */
function pair(listed: Listed[], sections: PatchSection[], complete: boolean): FileDiff[] {
  let next = 0;
  const files = listed.map(({ typeChange, ...file }) => {
    const own = sections.slice(next, next + (typeChange ? 2 : 1));
    next += typeChange ? 2 : 1;
    const missing = own.length < (typeChange ? 2 : 1);
    return {
      ...file,
      patch: own.map((s) => s.patch).join(''),
      truncated: missing || own.some((s) => s.truncated),
    };
  });
  if (complete && next !== sections.length) {
    throw new GitError(['diff-tree', '-p'], {
      exitCode: 0,
      signal: null,
      stderr: `${sections.length} patch sections for ${listed.length} files`,
    });
  }
  return files;
}

/**
 * The diff from `fromRev` (null: the empty tree, so every file of `toRev` is added) to `toRev`:
 * RevisionNotFoundError when either names no commit, RepoNotFoundError when the repository is missing.
 */
export async function diff(
  context: StoreContext,
  repo: string,
  fromRev: string | null,
  toRev: string,
  limits: DiffLimits = DEFAULT_DIFF_LIMITS,
): Promise<TreeDiff> {
  const to = revToGit(toRev);
  const from = fromRev === null ? EMPTY_TREE : revToGit(fromRev);
  const trees = [`${from}^{tree}`, `${to}^{tree}`, '--'];
  try {
    const listed = parseListing(
      await context.git(repo, ['diff-tree', '-r', '-z', '--no-renames', '--raw', '--numstat', ...trees]),
    );
    const shown = listed.slice(0, limits.maxFiles);
    let sections: PatchSection[] = [];
    let complete = true;
    if (shown.length > 0) {
      const splitter = new PatchSplitter({
        maxSectionBytes: limits.maxPatchBytes,
        maxTotalBytes: limits.maxTotalBytes,
        maxSections: shown.reduce((n, f) => n + (f.typeChange ? 2 : 1), 0),
        maxReadBytes: MAX_READ_BYTES,
      });
      const args = ['diff-tree', '-r', '-p', '--no-renames', '--no-color', '--no-ext-diff', '--no-textconv'];
      const { stopped } = await context.stream(repo, [...args, ...trees], (chunk) => splitter.push(chunk));
      sections = splitter.sections();
      complete = !stopped;
    }
    const files = pair(shown, sections, complete && shown.length === listed.length);
    return {
      files,
      totalFiles: listed.length,
      truncated: files.length < listed.length || files.some((f) => f.truncated),
    };
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
}
