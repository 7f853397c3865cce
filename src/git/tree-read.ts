/**
 * Parsers for reading trees back: `git ls-tree -r -z` lists the blobs, and one `git cat-file --batch`
 * returns all their contents in a single stream. Reading a tree of any size costs two processes.
 */
import { GitError } from './errors.ts';

/** One blob entry of `ls-tree -r -z`: its object id and its path from the tree root. */
export type TreeEntry = { sha: string; path: string };

/** Blob entries of `ls-tree -r -z` output (submodule links and anything else are skipped). */
export function parseLsTree(output: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  for (const record of output.toString('utf8').split('\0')) {
    if (record === '') continue;
    const tab = record.indexOf('\t');
    const [, type, sha] = record.slice(0, tab).split(' ');
    if (tab < 0 || !sha)
      throw new GitError(['ls-tree'], { exitCode: 0, signal: null, stderr: `bad ls-tree record ${record}` });
    if (type === 'blob') entries.push({ sha, path: record.slice(tab + 1) });
  }
  return entries;
}

/** One object of `cat-file --batch` output; `undefined` for a name that is missing. */
export type BatchObject = { type: string; content: Buffer } | undefined;

/**
 * Splits `cat-file --batch` output into its objects, in request order: each is
 * `<sha> <type> <size>\n<content>\n`, or `<name> missing\n` (also `ambiguous`).
 */
export function parseCatFileBatch(output: Buffer, count: number): BatchObject[] {
  const objects: BatchObject[] = [];
  let at = 0;
  while (objects.length < count) {
    const lineEnd = output.indexOf(0x0a, at);
    if (lineEnd < 0) throw truncated();
    const header = output.toString('utf8', at, lineEnd);
    at = lineEnd + 1;
    if (header.endsWith(' missing') || header.endsWith(' ambiguous')) {
      objects.push(undefined);
      continue;
    }
    const [, type, sizeText] = header.split(' ');
    const size = Number(sizeText);
    if (!type || !Number.isSafeInteger(size) || at + size + 1 > output.length) throw truncated();
    // A copy, so that keeping one file does not keep the whole batch output alive.
    objects.push({ type, content: Buffer.from(output.subarray(at, at + size)) });
    at += size + 1;
  }
  return objects;
}

function truncated(): GitError {
  return new GitError(['cat-file', '--batch'], {
    exitCode: 0,
    signal: null,
    stderr: 'truncated or malformed output',
  });
}
