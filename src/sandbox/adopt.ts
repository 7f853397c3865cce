/**
 * Hands the host's writes in a workdir to the sandbox: the bundle is materialised by the server (root)
 * before the first command, so its files would be root's and the sandbox could not change them or add
 * files to its directories. Before a sandbox's first command the driver gives everything the server
 * owns under the workdir to the sandbox's uid. At that point nothing of the sandbox has run yet, so the
 * tree holds only what the host wrote; symlinks are re-owned themselves (lchown), never followed.
 */
import fs from 'node:fs';
import path from 'node:path';

/** lchowns every entry under `dir` owned by `from` to `to`; returns how many. */
export function adoptTree(dir: string, from: number, to: { uid: number; gid: number }): number {
  let count = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const file = path.join(current, entry.name);
      const stat = fs.lstatSync(file);
      if (stat.uid === from) {
        fs.lchownSync(file, to.uid, to.gid);
        count++;
      }
      if (stat.isDirectory()) pending.push(file);
    }
  }
  return count;
}
