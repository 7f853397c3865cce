/**
 * DATA_DIR is checked before anything opens it: a path the server cannot create or write (its parent is
 * a file, a read-only mount, a directory of another user) stops start-up with one line that names
 * DATA_DIR, the path and the fix, instead of a stack trace from deep inside the store.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from './errors.ts';

/** Creates DATA_DIR if needed (0711, as the server makes it) and proves it writable; CliError if not. */
export function ensureDataDir(dataDir: string): void {
  const probe = path.join(dataDir, `.write-test-${process.pid}`);
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o711 });
    fs.writeFileSync(probe, '');
    fs.rmSync(probe, { force: true });
  } catch (error) {
    throw new CliError(
      `DATA_DIR ${dataDir} is not usable: ${reason(error as NodeJS.ErrnoException, dataDir)}. ` +
        'Set DATA_DIR to a directory this user can create and write (default ./data)',
      1,
    );
  }
}

function reason(error: NodeJS.ErrnoException, dataDir: string): string {
  const at = error.path && error.path !== dataDir ? ` (${error.path})` : '';
  switch (error.code) {
    case 'ENOTDIR': {
      const file = fileOnPath(dataDir);
      return file ? `${file} is a file, not a directory` : `a part of the path is not a directory${at}`;
    }
    case 'EEXIST':
      return 'it exists and is not a directory';
    case 'EACCES':
    case 'EPERM':
      return `permission denied${at}${typeof process.getuid === 'function' ? ` for uid ${process.getuid()}` : ''}`;
    case 'EROFS':
      return 'it is on a read-only file system';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return error.message;
  }
}

/** The first existing entry on the way to `target` that is not a directory. */
function fileOnPath(target: string): string | undefined {
  const parts: string[] = [];
  for (let dir = path.dirname(target); dir !== path.dirname(dir); dir = path.dirname(dir)) parts.unshift(dir);
  for (const dir of parts) {
    try {
      if (!fs.statSync(dir).isDirectory()) return dir;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
