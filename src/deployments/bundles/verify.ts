/**
 * The upload check: reads a bundle tar and refuses anything that could not have come from the planner
 * or that would be unsafe to extract: too big, too many entries, paths that escape the root or repeat,
 * entry types other than file, directory and symlink, symlinks that leave the bundle, entries beneath
 * a symlink or a file, setuid/setgid bits, and any difference from the manifest's included entries.
 * Every refusal is a 422 naming the tar entry. The caller compares the returned digest with the
 * X-Nullspace-Bundle-Digest header and the manifest's bundle_digest.
 */
import { invalid } from '../../http/errors.ts';
import { sha256Digest } from '../../lib/digest.ts';
import type { BundleEntry, BundleManifest } from './manifest.ts';
import { ancestors, normalizeEntryPath, symlinkEscape } from './paths.ts';
import { readTar, TarFormatError } from './tar-read.ts';

export type BundleLimits = {
  /** Largest tar, in bytes. */
  maxBytes: number;
  /** Most tar entries (files, symlinks and directories). */
  maxEntries: number;
};

export type VerifiedEntry = {
  path: string;
  type: 'file' | 'directory' | 'symlink';
  size: number;
  /** Permission bits (mode & 0o7777) as the tar carries them. */
  mode: number;
  /** `sha256:` of the content (files only). */
  digest: string | null;
  symlink_target: string | null;
};

export type VerifiedBundle = {
  /** `sha256:` of the exact tar bytes. */
  digest: string;
  /** Size of the tar in bytes. */
  size: number;
  /** Files and symlinks. */
  file_count: number;
  /** Sum of file sizes. */
  total_size: number;
  /** Every entry in archive order, the root directory (`./`) left out. */
  entries: VerifiedEntry[];
};

const SETID = 0o6000;

/** Reads and checks a bundle tar against its manifest; throws a 422 ApiError naming the entry. */
export async function verifyBundle(
  bytes: Uint8Array,
  manifest: BundleManifest,
  limits: BundleLimits,
): Promise<VerifiedBundle> {
  if (bytes.byteLength > limits.maxBytes)
    throw invalid(
      ['body'],
      `the bundle is ${bytes.byteLength} bytes, more than the limit of ${limits.maxBytes}`,
    );
  const digest = sha256Digest(bytes);
  const entries = await readEntries(bytes, limits);
  checkStructure(entries);
  compareWithManifest(entries, manifest);
  const files = entries.filter((e) => e.type !== 'directory');
  return {
    digest,
    size: bytes.byteLength,
    file_count: files.length,
    total_size: files.reduce((sum, e) => sum + (e.type === 'file' ? e.size : 0), 0),
    entries,
  };
}

function refuse(entry: string, message: string) {
  return invalid(['body', entry], `tar entry "${entry}": ${message}`);
}

async function readEntries(bytes: Uint8Array, limits: BundleLimits): Promise<VerifiedEntry[]> {
  const entries: VerifiedEntry[] = [];
  const seen = new Set<string>();
  let count = 0;
  try {
    for await (const { header, body } of readTar(bytes)) {
      const name = header.name;
      if (++count > limits.maxEntries)
        throw refuse(name, `the bundle has more than ${limits.maxEntries} entries`);
      const type = header.type;
      if (type !== 'file' && type !== 'directory' && type !== 'symlink')
        throw refuse(
          name,
          `entry type "${type ?? 'unknown'}" is not allowed; only files, directories and symlinks`,
        );
      const normalized = normalizeEntryPath(name, type === 'directory');
      if (!normalized.ok) throw refuse(name, normalized.reason);
      const path = normalized.path;
      const mode = (header.mode ?? 0) & 0o7777;
      if (mode & SETID) throw refuse(name, `mode ${mode.toString(8)} has the setuid or setgid bit`);
      if (path === '') continue; // the root directory itself
      if (seen.has(path)) throw refuse(name, 'the path appears twice in the tar');
      seen.add(path);
      if (type === 'symlink') {
        const target = header.linkname ?? '';
        entries.push({ path, type, size: 0, mode, digest: null, symlink_target: target });
      } else if (type === 'file') {
        const digest = sha256Digest(body);
        entries.push({ path, type, size: body.length, mode, digest, symlink_target: null });
      } else {
        entries.push({ path, type, size: 0, mode, digest: null, symlink_target: null });
      }
    }
  } catch (error) {
    if (error instanceof TarFormatError) throw invalid(['body'], error.message);
    throw error;
  }
  return entries;
}

/** Entries beneath symlinks or files, and symlinks that leave the root. */
function checkStructure(entries: VerifiedEntry[]): void {
  const byPath = new Map(entries.map((e) => [e.path, e]));
  const symlinks = new Map<string, string>();
  for (const e of entries) if (e.type === 'symlink') symlinks.set(e.path, e.symlink_target!);
  for (const e of entries) {
    for (const parent of ancestors(e.path)) {
      const kind = byPath.get(parent)?.type;
      if (kind === 'symlink') throw refuse(e.path, `the path passes through symlink "${parent}"`);
      if (kind === 'file') throw refuse(e.path, `the path passes through file "${parent}"`);
    }
    if (e.type === 'symlink') {
      const escape = symlinkEscape(e.path, e.symlink_target!, symlinks);
      if (escape) throw refuse(e.path, escape);
    }
  }
}

/** The tar's files and symlinks must be exactly the manifest's included entries. */
function compareWithManifest(entries: VerifiedEntry[], manifest: BundleManifest): void {
  const included = new Map<string, BundleEntry>();
  for (const m of manifest.entries) {
    if (!m.included) continue;
    if (included.has(m.path))
      throw invalid(
        ['body', m.path],
        `manifest entry "${m.path}" is listed twice among the included entries`,
      );
    included.set(m.path, m);
  }
  let fileCount = 0;
  let totalSize = 0;
  const inTar = new Set<string>();
  for (const e of entries) {
    if (e.type === 'directory') continue;
    fileCount++;
    if (e.type === 'file') totalSize += e.size;
    inTar.add(e.path);
    const m = included.get(e.path);
    if (!m) throw refuse(e.path, "the path is not among the manifest's included entries");
    const mismatch = differences(e, m);
    if (mismatch) throw refuse(e.path, `does not match the manifest: ${mismatch}`);
  }
  for (const path of included.keys())
    if (!inTar.has(path))
      throw invalid(
        ['body', path],
        `tar entry "${path}": the manifest includes it but the tar has no file or symlink at that path`,
      );
  if (fileCount !== manifest.file_count)
    throw invalid(
      ['body'],
      `the tar has ${fileCount} files and symlinks but the manifest's file_count is ${manifest.file_count}`,
    );
  if (totalSize !== manifest.total_size)
    throw invalid(
      ['body'],
      `the tar's files hold ${totalSize} bytes but the manifest's total_size is ${manifest.total_size}`,
    );
}

function differences(e: VerifiedEntry, m: BundleEntry): string | null {
  if (e.type === 'symlink') {
    if (m.symlink_target === null) return 'the tar has a symlink, the manifest a file';
    if (m.symlink_target !== e.symlink_target)
      return `symlink target "${e.symlink_target}" in the tar, "${m.symlink_target}" in the manifest`;
    if (m.digest !== null) return 'the manifest gives a digest for a symlink';
    if (m.size !== null && m.size !== 0) return `size ${m.size} in the manifest, 0 for a symlink`;
  } else {
    if (m.symlink_target !== null) return 'the tar has a file, the manifest a symlink';
    if (m.size !== e.size) return `size ${e.size} in the tar, ${m.size ?? 'none'} in the manifest`;
    if (m.digest !== e.digest) return `digest ${e.digest} in the tar, ${m.digest ?? 'none'} in the manifest`;
  }
  if (m.mode !== e.mode)
    return `mode ${e.mode.toString(8)} in the tar, ${m.mode === null ? 'none' : m.mode.toString(8)} in the manifest`;
  return null;
}
