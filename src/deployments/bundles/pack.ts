/**
 * Packing a plan into the bundle tar, deterministically: entries in sorted path order, no directory
 * entries, mtime 0, uid/gid 0, empty user and group names, normalized modes. The same tree therefore
 * always gives the same bytes and the same bundle_digest, whatever its mtimes or owner. Then the
 * manifest that describes it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import tar from 'tar-stream';
import type { AgentConfig } from '../config-schema.ts';
import type { BundleManifest } from './manifest.ts';
import { sha256Digest } from '../../lib/digest.ts';
import { configDigest } from './digest.ts';
import { BundlePlanError, planBundle, type BundlePatterns, type BundlePlan } from './plan.ts';

const EPOCH = new Date(0);

/** Writes the plan's included files and symlinks into a tar; fails if a file changed since planning. */
export async function packBundle(plan: BundlePlan): Promise<Uint8Array> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  const common = { mtime: EPOCH, uid: 0, gid: 0, uname: '', gname: '' };
  for (const file of plan.files) {
    const full = path.join(plan.root, file.path);
    if (file.type === 'symlink') {
      const target = await fs.readlink(full);
      if (target !== file.symlinkTarget) throw changed(file.path);
      await entry(pack, { ...common, name: file.path, type: 'symlink', linkname: target, mode: 0o777 });
    } else {
      const content = await fs.readFile(full);
      if (content.length !== file.size || sha256Digest(content) !== file.digest) throw changed(file.path);
      await entry(
        pack,
        { ...common, name: file.path, type: 'file', size: content.length, mode: file.mode },
        content,
      );
    }
  }
  pack.finalize();
  await ended;
  return new Uint8Array(Buffer.concat(chunks));
}

function entry(pack: tar.Pack, header: Partial<tar.Header> & { name: string }, body?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error | null) => (error ? reject(error) : resolve());
    if (body) pack.entry(header, body, done);
    else pack.entry(header, done);
  });
}

function changed(file: string): BundlePlanError {
  return new BundlePlanError(`${file}: changed while the bundle was being packed; run again`);
}

/** The manifest of a packed plan for `config` (the config exactly as it will be sent). */
export function bundleManifest(plan: BundlePlan, bytes: Uint8Array, config: AgentConfig): BundleManifest {
  return {
    bundle_digest: sha256Digest(bytes),
    config_digest: configDigest(config),
    archive_format: 'tar',
    total_size: plan.total_size,
    file_count: plan.file_count,
    // Left null so that deploying the same tree twice sends the same body (an idempotent replay).
    generated_at: null,
    materialization_path: config.workdir,
    entries: plan.entries,
    include_patterns: plan.include_patterns,
    exclude_patterns: plan.exclude_patterns,
    default_exclude_patterns: plan.default_exclude_patterns,
  };
}

export type Bundle = { plan: BundlePlan; bytes: Uint8Array; manifest: BundleManifest };

/** Plans, packs and describes the bundle of `root`. */
export async function buildBundle(
  root: string,
  patterns: BundlePatterns,
  config: AgentConfig,
): Promise<Bundle> {
  const plan = await planBundle(root, patterns);
  const bytes = await packBundle(plan);
  return { plan, bytes, manifest: bundleManifest(plan, bytes, config) };
}
