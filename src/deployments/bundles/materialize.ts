/**
 * Extracting a verified bundle into a run's empty workdir. It runs once per agent run, so it is
 * synchronous file I/O on a tar already in memory (a few-file bundle takes well under 2 ms), yielding
 * to the event loop between batches so a large bundle does not stall the server.
 *
 * Defence in depth, although verify.ts has refused such bundles: entry paths are checked again, only
 * files, directories and symlinks are written, files are created with O_CREAT|O_EXCL|O_NOFOLLOW (an
 * existing path, symlink or not, is never opened), parents are only ever directories this extraction
 * created itself (never a path beneath a symlink), and modes are normalized: files 0755 when the tar
 * gives any execute bit, else 0644; directories 0755. Ownership is the server's user.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { normalizeEntryPath } from './paths.ts';
import { readTar } from './tar-read.ts';

/** Thrown when a bundle cannot be extracted (it should have been refused by verifyBundle). */
export class MaterializeError extends Error {
  override name = 'MaterializeError';
}

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
const CREATE_FLAGS = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
/** Bytes written between two yields to the event loop. */
const YIELD_EVERY_BYTES = 4 << 20;

/** Extracts a verified bundle tar into `destDir`, which must exist and be empty. */
export async function materializeBundle(bytes: Uint8Array, destDir: string): Promise<void> {
  const root = path.resolve(destDir);
  if (fs.readdirSync(root).length > 0) throw new MaterializeError(`${root} is not empty`);
  /** What this extraction created, by entry path ('' is the root). */
  const kinds = new Map<string, 'directory' | 'file' | 'symlink'>([['', 'directory']]);
  const directories: string[] = [];
  let sinceYield = 0;

  const makeParents = (entry: string) => {
    for (let i = entry.indexOf('/'); i !== -1; i = entry.indexOf('/', i + 1)) {
      const parent = entry.slice(0, i);
      const kind = kinds.get(parent);
      if (kind === 'directory') continue;
      if (kind !== undefined)
        throw new MaterializeError(`tar entry "${entry}" lies beneath ${kind} "${parent}"`);
      fs.mkdirSync(path.join(root, parent), 0o755);
      kinds.set(parent, 'directory');
      directories.push(parent);
    }
  };

  for await (const { header, body } of readTar(bytes)) {
    const type = header.type;
    if (type !== 'file' && type !== 'directory' && type !== 'symlink')
      throw new MaterializeError(`tar entry "${header.name}" has type ${type ?? 'unknown'}`);
    const normalized = normalizeEntryPath(header.name, type === 'directory');
    if (!normalized.ok) throw new MaterializeError(`tar entry "${header.name}": ${normalized.reason}`);
    const entry = normalized.path;
    if (entry === '') continue;
    makeParents(entry);
    const existing = kinds.get(entry);
    if (existing !== undefined && !(existing === 'directory' && type === 'directory'))
      throw new MaterializeError(`tar entry "${entry}" appears twice`);
    const target = path.join(root, entry);
    switch (type) {
      case 'directory':
        if (existing === undefined) {
          fs.mkdirSync(target, 0o755);
          directories.push(entry);
        }
        break;
      case 'symlink': {
        const link = header.linkname ?? '';
        if (link === '' || link.startsWith('/') || link.includes('\0'))
          throw new MaterializeError(`tar entry "${entry}" is a symlink to "${link}"`);
        fs.symlinkSync(link, target);
        break;
      }
      case 'file': {
        const mode = (header.mode ?? 0) & 0o111 ? 0o755 : 0o644;
        const fd = fs.openSync(target, CREATE_FLAGS, mode);
        try {
          let written = 0;
          while (written < body.length) written += fs.writeSync(fd, body, written);
          fs.fchmodSync(fd, mode); // the umask may have cleared bits
        } finally {
          fs.closeSync(fd);
        }
        sinceYield += body.length;
        break;
      }
      default:
        return type satisfies never;
    }
    kinds.set(entry, type);
    if (sinceYield >= YIELD_EVERY_BYTES) {
      sinceYield = 0;
      await nextTurn();
    }
  }
  // mkdir's mode is reduced by the umask; directories end up 0755 whatever it is.
  for (const dir of directories) fs.chmodSync(path.join(root, dir), 0o755);
}
