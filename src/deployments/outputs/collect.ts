/**
 * Collects a finished run's declared output paths (files or directories, relative to the workdir) into
 * the blob store. The workdir was written by hostile code, so nothing here follows a symbolic link:
 * every path component is checked with lstat, files are opened with O_NOFOLLOW, and symlinks inside
 * output directories are skipped. Collection stops at the run's output byte budget (marked truncated).
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { sha256Digest } from '../../lib/digest.ts';
import type { OutputManifest } from '../tables.ts';

export type CollectedFile = { path: string; size: number; digest: string; bytes: Uint8Array };
export type Collected = { manifest: OutputManifest; files: CollectedFile[] };

const MAX_FILES = 10_000;

export async function collectOutputs(
  workdir: string,
  declared: string[],
  maxBytes: number,
): Promise<Collected> {
  const files: CollectedFile[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  let total = 0;
  let truncated = false;

  const take = async (relative: string): Promise<void> => {
    if (seen.has(relative) || truncated) return;
    const full = path.join(workdir, relative);
    let handle: fs.FileHandle | undefined;
    try {
      handle = await fs.open(full, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      const stat = await handle.stat();
      if (!stat.isFile()) return;
      if (total + stat.size > maxBytes || files.length >= MAX_FILES) {
        truncated = true;
        return;
      }
      const bytes = new Uint8Array(await handle.readFile());
      total += bytes.length;
      seen.add(relative);
      files.push({ path: relative, size: bytes.length, digest: sha256Digest(bytes), bytes });
    } catch {
      // vanished, a symlink (ELOOP) or unreadable: not an output
    } finally {
      await handle?.close();
    }
  };

  const walk = async (relative: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(path.join(workdir, relative), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const child = `${relative}/${entry.name}`;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile()) await take(child);
    }
  };

  for (const raw of declared) {
    const relative = path.posix.normalize(raw).replace(/\/+$/, '');
    const kind = await kindWithoutLinks(workdir, relative);
    if (kind === 'file') await take(relative);
    else if (kind === 'dir') await walk(relative);
    else missing.push(raw);
  }
  return {
    manifest: {
      outputs: files.map(({ path: p, size, digest }) => ({ path: p, type: 'file' as const, size, digest })),
      missing,
      truncated,
    },
    files,
  };
}

/** What a relative path is when no component of it is a symlink; undefined otherwise or when absent. */
async function kindWithoutLinks(root: string, relative: string): Promise<'file' | 'dir' | undefined> {
  if (relative === '' || relative === '.' || relative.startsWith('..')) return undefined;
  let current = root;
  const parts = relative.split('/');
  for (let i = 0; i < parts.length; i++) {
    current = path.join(current, parts[i]!);
    try {
      const stat = await fs.lstat(current);
      if (stat.isSymbolicLink()) return undefined;
      if (i === parts.length - 1) return stat.isFile() ? 'file' : stat.isDirectory() ? 'dir' : undefined;
      if (!stat.isDirectory()) return undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
