/**
 * Packing a package directory (or a set of files) into the artifact format of artifact.ts: a
 * gzip-compressed tar with files in sorted order and fixed metadata (mtime 0, mode 0644, no owner), so
 * the same files always pack to the same bytes and hence the same `sha256:` ref.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

/** The files a package directory may hold (others are left out, e.g. a README or tests). */
export function isPackageFile(relative: string): boolean {
  return (
    relative === 'atoll.package.json' ||
    relative === 'inputs.schema.json' ||
    relative === 'render.js' ||
    /^manifests\/[^/]+\.ya?ml$/.test(relative)
  );
}

/** Packs `files` (path → content) deterministically. */
export async function packFiles(files: Record<string, string | Uint8Array>): Promise<Uint8Array> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const finished = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const name of Object.keys(files).sort()) {
    const content = files[name]!;
    const body = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
    await new Promise<void>((resolve, reject) =>
      pack.entry(
        { name, size: body.length, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 },
        body,
        (error) => (error ? reject(error) : resolve()),
      ),
    );
  }
  pack.finalize();
  await finished;
  // gzip's header has no timestamp from zlib (mtime 0), so the bytes depend only on the files.
  return new Uint8Array(gzipSync(Buffer.concat(chunks), { level: 9 }));
}

/** Packs a package directory: atoll.package.json, inputs.schema.json, render.js and manifests/*.yaml. */
export async function packDirectory(dir: string): Promise<{ bytes: Uint8Array; files: string[] }> {
  const files: Record<string, Uint8Array> = {};
  const read = async (relative: string) => {
    files[relative] = await fs.readFile(path.join(dir, relative));
  };
  for (const name of ['atoll.package.json', 'inputs.schema.json', 'render.js']) {
    try {
      await read(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  try {
    for (const entry of await fs.readdir(path.join(dir, 'manifests'), { withFileTypes: true })) {
      const relative = `manifests/${entry.name}`;
      if (entry.isFile() && isPackageFile(relative)) await read(relative);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return { bytes: await packFiles(files), files: Object.keys(files).sort() };
}
