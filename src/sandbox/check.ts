/**
 * Whether sandboxes can be made on this host: the binaries are looked for, then a real sandbox is made
 * and runs `true`, through the same code as every run (uid, cgroup, mounts, seccomp, and slirp4netns
 * for the internet check). A failure is turned into a reason that says what to install or fix. There
 * is never an unsandboxed fallback.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DriverCheck, Sandbox, SandboxSpec } from './driver.ts';

export const BWRAP_MISSING = 'bubblewrap is not installed: apt-get install -y bubblewrap';
export const SLIRP_MISSING =
  'install the slirp4netns package (apt-get install -y slirp4netns) to give sandboxes internet access';

const SEARCH_DIRS = ['/usr/bin', '/usr/local/bin', '/bin', '/usr/sbin'];

/** The absolute path of an installed executable, or undefined. */
export function findExecutable(name: string): string | undefined {
  for (const dir of SEARCH_DIRS) {
    const file = `${dir}/${name}`;
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** Makes a small sandbox, runs `true` in it and removes it. */
export async function probeSandbox(
  create: (spec: SandboxSpec) => Promise<Sandbox>,
  internet: boolean,
): Promise<DriverCheck> {
  let sandbox: Sandbox | undefined;
  let stderr = '';
  try {
    sandbox = await create({
      id: `sbx_check${randomBytes(6).toString('hex')}`,
      workdir: '/workspace',
      internetAccess: internet,
      resources: { memoryMb: 256, diskMb: 16, vcpus: 1, processes: 32, openFiles: 64 },
    });
    const result = await sandbox.exec({
      command: 'true',
      env: {},
      onOutput: (stream, chunk) => {
        if (stream === 'stderr' && stderr.length < 4096) stderr += chunk.toString();
      },
    }).exited;
    if (result.exitCode === 0) return { ok: true };
    return { ok: false, reason: explain(stderr || `exit ${result.exitCode ?? result.signal}`, internet) };
  } catch (error) {
    return { ok: false, reason: explain((error as Error).message, internet) };
  } finally {
    await sandbox?.destroy().catch(() => {});
  }
}

function explain(message: string, internet: boolean): string {
  const detail = message.trim().split('\n').join('; ');
  const unreachable = /Can't find source path (\S+): Permission denied/.exec(detail);
  if (unreachable) {
    const closed = closedAncestor(unreachable[1]!);
    return `bubblewrap, running as an unprivileged sandbox uid, cannot reach ${unreachable[1]}: every directory above it must be searchable by others${closed ? ` (chmod o+x ${closed})` : ''}; see docs/sandbox.md`;
  }
  if (internet && /\/dev\/net\/tun/.test(detail))
    return `slirp4netns cannot open /dev/net/tun as the sandbox's unprivileged uid (${detail}): chmod 0666 /dev/net/tun (its usual mode)`;
  return internet
    ? `sandboxes cannot get internet access here: ${detail}`
    : `bubblewrap cannot create a sandbox here (${detail}); it needs unprivileged user namespaces`;
}

/** The first directory on the way to `file` that others cannot pass through, if any. */
function closedAncestor(file: string): string | undefined {
  let dir = '/';
  for (const part of file.split('/').filter(Boolean).slice(0, -1)) {
    dir = path.join(dir, part);
    const stat = fs.statSync(dir, { throwIfNoEntry: false });
    if (stat && (stat.mode & 0o001) === 0) return dir;
  }
  return undefined;
}
