/**
 * Builds the `git fast-import` stream for one commit whose tree is exactly a given list of files. One
 * fast-import process writes every blob, the trees and the commit into one pack, so a commit of
 * hundreds of files costs one process, not one per file. The commit goes to a temporary ref; the
 * store then moves the real branch with a compare-and-swap.
 */
import { GitInputError } from './errors.ts';
import { checkFilePath, checkIdentity, checkSha } from './names.ts';

/** One file of a commit's tree. */
export type TreeFile = { path: string; content: string | Buffer };

export type Identity = { name: string; email: string };

export type ImportCommit = {
  /** The ref fast-import writes (a temporary one). */
  ref: string;
  files: readonly TreeFile[];
  message: string;
  parents: readonly string[];
  author: Identity;
  committer: Identity;
  date: Date;
};

/** Validates the file list: valid paths, no duplicates, no file that is also a directory. */
export function checkTreeFiles(files: readonly TreeFile[]): void {
  if (!Array.isArray(files)) throw new GitInputError('path', String(files), 'files must be an array');
  const paths = new Set<string>();
  for (const file of files) {
    const path = checkFilePath(file?.path);
    if (typeof file.content !== 'string' && !Buffer.isBuffer(file.content)) {
      throw new GitInputError('path', path, 'content must be a string or a Buffer');
    }
    if (paths.has(path)) throw new GitInputError('path', path, 'the path is given twice');
    paths.add(path);
  }
  for (const path of paths) {
    for (let slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
      const dir = path.slice(0, slash);
      if (paths.has(dir))
        throw new GitInputError('path', dir, `it is a file and also the directory of ${path}`);
    }
  }
}

/** fast-import's C-style quoting: always quoted, so no path can be read as anything but a path. */
function quote(path: string): string {
  return `"${path.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function person(identity: Identity, seconds: number): string {
  return `${identity.name} <${identity.email}> ${seconds} +0000`;
}

/**
 * The stream: one commit (mark :1) that starts from an empty tree (`deleteall`) and adds every file,
 * then `get-mark :1` (fast-import answers with the commit's sha on stdout), then `done`.
 */
export function importStream(commit: ImportCommit): Buffer {
  checkTreeFiles(commit.files);
  checkIdentity(commit.author);
  checkIdentity(commit.committer);
  commit.parents.forEach((parent) => checkSha(parent));
  if (typeof commit.message !== 'string' || commit.message.includes('\0')) {
    throw new GitInputError('message', String(commit.message), 'a commit message is a string without NUL');
  }
  const time = commit.date instanceof Date ? commit.date.getTime() : NaN;
  if (!Number.isFinite(time) || time < 0) {
    throw new GitInputError('date', String(commit.date), 'a valid Date at or after 1970 is required');
  }
  const seconds = Math.floor(time / 1000);
  const message = Buffer.from(commit.message);
  const parts: Buffer[] = [
    Buffer.from(
      `commit ${commit.ref}\nmark :1\n` +
        `author ${person(commit.author, seconds)}\n` +
        `committer ${person(commit.committer, seconds)}\n` +
        `data ${message.length}\n`,
    ),
    message,
  ];
  let head = '\n';
  commit.parents.forEach((parent, i) => {
    head += `${i === 0 ? 'from' : 'merge'} ${parent}\n`;
  });
  head += 'deleteall\n';
  parts.push(Buffer.from(head));
  for (const file of commit.files) {
    const content = typeof file.content === 'string' ? Buffer.from(file.content) : file.content;
    parts.push(
      Buffer.from(`M 100644 inline ${quote(file.path)}\ndata ${content.length}\n`),
      content,
      NEWLINE,
    );
  }
  parts.push(Buffer.from('get-mark :1\ndone\n'));
  return Buffer.concat(parts);
}

const NEWLINE = Buffer.from('\n');
