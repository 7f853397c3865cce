/**
 * Planning a bundle: walks an agent directory and decides, for every file and symlink, whether it goes
 * into the bundle and why. Rules, in order:
 *  1. a user `exclude` pattern always wins;
 *  2. with `include` patterns, only matching paths are included;
 *  3. default excludes (local secrets, VCS and generated directories) leave a path out, unless an
 *     include pattern that matches it also spells out the excluded name literally
 *     (`node_modules/**` ships a vendored node_modules; `**` alone does not).
 * Excluded directories are not descended into and appear once, as `dir/`. Special files (sockets,
 * fifos, devices) may only be excluded; symlinks are kept as symlinks and must stay inside the root.
 * File modes are normalized (0755 with any execute bit, else 0644; symlinks 0777) so the same tree
 * gives the same bundle on any machine.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { sha256Digest } from '../../lib/digest.ts';
import type { BundleEntry } from './manifest.ts';
import { compilePattern, matchIndex, patternProblem, type BundlePattern } from './glob.ts';
import { MAX_ENTRY_PATH, symlinkEscape } from './paths.ts';

/** Left out unless an include names them; see the module comment. */
export const DEFAULT_EXCLUDES: readonly string[] = [
  '.env',
  '.env.*',
  '.git/',
  '.hg/',
  '.svn/',
  'node_modules/',
  '.venv/',
  'venv/',
  '__pycache__/',
  '*.pyc',
  '.DS_Store',
  '.npmrc',
  '.atoll/',
];

/** Most entries a plan may list (the manifest's limit). */
export const MAX_PLAN_ENTRIES = 100_000;

export type BundlePatterns = { include: readonly string[]; exclude: readonly string[] };

/** One included file or symlink, as the packer needs it. */
export type PlannedFile = {
  path: string;
  type: 'file' | 'symlink';
  size: number;
  mode: number;
  digest: string | null;
  symlinkTarget: string | null;
};

export type BundlePlan = {
  root: string;
  /** Every file and symlink looked at, and every excluded directory (as `dir/`), sorted by path. */
  entries: BundleEntry[];
  /** The included files and symlinks, sorted by path. */
  files: PlannedFile[];
  file_count: number;
  total_size: number;
  include_patterns: string[];
  exclude_patterns: string[];
  default_exclude_patterns: string[];
};

/** A tree that cannot be bundled, or a bad pattern; the message says what to change. */
export class BundlePlanError extends Error {
  override name = 'BundlePlanError';
}

type Decision = { included: boolean; reason: string };

/** Plans the bundle of `root` with the `[bundle]` patterns. */
export async function planBundle(root: string, patterns: BundlePatterns): Promise<BundlePlan> {
  for (const [key, list] of [
    ['include', patterns.include],
    ['exclude', patterns.exclude],
  ] as const)
    for (const p of list) {
      const problem = patternProblem(p);
      if (problem) throw new BundlePlanError(`bundle.${key}: pattern "${p}" ${problem}`);
    }
  const include = patterns.include.map(compilePattern);
  const exclude = patterns.exclude.map(compilePattern);
  const defaults = DEFAULT_EXCLUDES.map(compilePattern);
  const rules = { include, exclude, defaults };
  const entries: BundleEntry[] = [];
  const files: PlannedFile[] = [];
  const symlinks = new Map<string, string>();

  const add = (entry: BundleEntry) => {
    if (entries.length >= MAX_PLAN_ENTRIES)
      throw new BundlePlanError(
        `more than ${MAX_PLAN_ENTRIES} paths to plan; exclude large directories in [bundle] exclude`,
      );
    entries.push(entry);
  };

  const walk = async (relative: string): Promise<void> => {
    const dirents = await fs.readdir(path.join(root, relative), { withFileTypes: true });
    for (const dirent of dirents) {
      const rel = relative === '' ? dirent.name : `${relative}/${dirent.name}`;
      if (rel.length > MAX_ENTRY_PATH)
        throw new BundlePlanError(`${rel}: path longer than ${MAX_ENTRY_PATH} characters`);
      const segments = rel.split('/');
      const stat = await fs.lstat(path.join(root, rel));
      if (stat.isDirectory()) {
        const prune = pruneReason(rules, segments);
        if (prune) add(blank(`${rel}/`, false, prune));
        else await walk(rel);
        continue;
      }
      const decision = decide(rules, segments);
      if (!decision.included) {
        add(blank(rel, false, decision.reason));
        continue;
      }
      if (stat.isFile()) {
        const content = await fs.readFile(path.join(root, rel));
        const mode = stat.mode & 0o111 ? 0o755 : 0o644;
        const digest = sha256Digest(content);
        files.push({ path: rel, type: 'file', size: content.length, mode, digest, symlinkTarget: null });
        add({
          path: rel,
          included: true,
          reason: decision.reason,
          size: content.length,
          mode,
          digest,
          symlink_target: null,
        });
      } else if (stat.isSymbolicLink()) {
        const target = await fs.readlink(path.join(root, rel));
        symlinks.set(rel, target);
        files.push({ path: rel, type: 'symlink', size: 0, mode: 0o777, digest: null, symlinkTarget: target });
        add({
          path: rel,
          included: true,
          reason: decision.reason,
          size: 0,
          mode: 0o777,
          digest: null,
          symlink_target: target,
        });
      } else {
        throw new BundlePlanError(
          `${rel}: is a ${specialKind(stat)}, which a bundle cannot carry; add it to [bundle] exclude`,
        );
      }
    }
  };
  await walk('');

  for (const file of files) {
    if (file.type !== 'symlink') continue;
    const escape = symlinkEscape(file.path, file.symlinkTarget!, symlinks);
    if (escape) throw new BundlePlanError(`${file.path}: ${escape}; exclude it or replace it with a copy`);
  }
  const byPath = (a: { path: string }, b: { path: string }) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
  entries.sort(byPath);
  files.sort(byPath);
  if (files.length === 0) throw new BundlePlanError(`nothing to bundle in ${root}: every file is excluded`);
  return {
    root,
    entries,
    files,
    file_count: files.length,
    total_size: files.reduce((sum, f) => sum + f.size, 0),
    include_patterns: [...patterns.include],
    exclude_patterns: [...patterns.exclude],
    default_exclude_patterns: [...DEFAULT_EXCLUDES],
  };
}

type Rules = { include: BundlePattern[]; exclude: BundlePattern[]; defaults: BundlePattern[] };

/** Why a directory is not descended into, or null to walk it. */
function pruneReason(rules: Rules, segments: string[]): string | null {
  const excluded = rules.exclude.find((p) => matchIndex(p, segments, true) !== -1);
  if (excluded) return `exclude pattern ${excluded.source}`;
  for (const d of rules.defaults) {
    const k = matchIndex(d, segments, true);
    if (k === -1) continue;
    // Walk it only if some include pattern names it literally and so may override the default.
    if (!rules.include.some((p) => p.literalSegments.has(segments[k]!))) return `default exclude ${d.source}`;
  }
  return null;
}

/** Whether a file or symlink is included, and why. */
function decide(rules: Rules, segments: string[]): Decision {
  const excluded = rules.exclude.find((p) => matchIndex(p, segments, false) !== -1);
  if (excluded) return { included: false, reason: `exclude pattern ${excluded.source}` };
  const defaultHits: Array<{ pattern: BundlePattern; name: string }> = [];
  for (const d of rules.defaults) {
    const k = matchIndex(d, segments, false);
    if (k !== -1) defaultHits.push({ pattern: d, name: segments[k]! });
  }
  const matching = rules.include.filter((p) => matchIndex(p, segments, false) !== -1);
  if (rules.include.length > 0 && matching.length === 0)
    return {
      included: false,
      reason: defaultHits[0]
        ? `default exclude ${defaultHits[0].pattern.source}`
        : 'not matched by any include pattern',
    };
  // Every default exclude that matches must be overridden by an include naming it literally.
  const overrides: string[] = [];
  for (const hit of defaultHits) {
    const overriding = matching.find((p) => p.literalSegments.has(hit.name));
    if (!overriding) return { included: false, reason: `default exclude ${hit.pattern.source}` };
    overrides.push(`${overriding.source} overrides default exclude ${hit.pattern.source}`);
  }
  if (overrides.length > 0) return { included: true, reason: `include pattern ${overrides.join('; ')}` };
  if (matching.length > 0) return { included: true, reason: `include pattern ${matching[0]!.source}` };
  return { included: true, reason: 'not excluded' };
}

function blank(entryPath: string, included: boolean, reason: string): BundleEntry {
  return { path: entryPath, included, reason, size: null, mode: null, digest: null, symlink_target: null };
}

function specialKind(stat: {
  isSocket(): boolean;
  isFIFO(): boolean;
  isBlockDevice(): boolean;
  isCharacterDevice(): boolean;
}): string {
  if (stat.isSocket()) return 'socket';
  if (stat.isFIFO()) return 'fifo';
  if (stat.isBlockDevice() || stat.isCharacterDevice()) return 'device';
  return 'special file';
}
