/** Test fixtures: hand-built tars (hostile ones included) and temporary directory trees. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tar from 'tar-stream';

export type FixtureEntry = Partial<tar.Header> & { name: string; body?: string };

/** A tar of exactly these entries, in this order (mtime 0 unless given). */
export async function tarOf(entries: FixtureEntry[]): Promise<Uint8Array> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const { body, ...header } of entries) {
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error | null) => (error ? reject(error) : resolve());
      const full = { mtime: new Date(0), ...header };
      if (body !== undefined) pack.entry(full, body, done);
      else pack.entry(full, done);
    });
  }
  pack.finalize();
  await ended;
  return new Uint8Array(Buffer.concat(chunks));
}

/** A fresh temporary directory. */
export function tempDir(prefix = 'atoll-bundle-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes files (path → content; a `{ symlink }` makes a symlink) under `root`. */
export function writeTree(
  root: string,
  files: Record<string, string | { symlink: string } | { mode: number; content: string }>,
): string {
  for (const [rel, spec] of Object.entries(files)) {
    const full = path.join(root, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    if (typeof spec === 'string') fs.writeFileSync(full, spec);
    else if ('symlink' in spec) fs.symlinkSync(spec.symlink, full);
    else {
      fs.writeFileSync(full, spec.content);
      fs.chmodSync(full, spec.mode);
    }
  }
  return root;
}
