/**
 * Removes a sandbox's host directory. A root server can always; a server running as the sandboxes' own
 * uid may meet directories the agent made unwritable (chmod 0), which it owns and so can open up again.
 * Symlinks are never followed.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export async function removeTree(dir: string): Promise<void> {
  try {
    await fs.rm(dir, { recursive: true, force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EPERM') throw error;
    await openUp(dir);
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function openUp(dir: string): Promise<void> {
  const stat = await fs.lstat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) return;
  await fs.chmod(dir, 0o700).catch(() => {});
  const names = await fs.readdir(dir).catch(() => []);
  for (const name of names) await openUp(path.join(dir, name));
}
