/**
 * Where a sandbox lives, on the host and inside. Ids are checked before any path is built from them, and
 * a workdir may not cover or sit inside the paths the sandbox's system view is assembled from.
 */
import path from 'node:path';

/** Sandbox ids (`sbx_…`); also the names of their host directories. */
export const SANDBOX_ID = /^sbx_[a-z0-9]{1,60}$/;

/** Fixed paths inside every sandbox. */
export const INSIDE = {
  /** The host's run dir, read-only: the run's input.json. */
  runDir: '/run/atoll',
  /** The host's relay sockets for services, read-only (connecting to a socket needs no write access). */
  relayDir: '/run/atoll-relay',
  /** The server's Node runtime, first on the default PATH. */
  binDir: '/opt/atoll/bin',
  node: '/opt/atoll/bin/node',
  relayScript: '/opt/atoll/relay.cjs',
} as const;

/** The sandbox user inside (mapped to the sandbox's host uid). */
export const INSIDE_UID = 1000;

const RESERVED = [
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/proc',
  '/dev',
  '/etc',
  '/tmp',
  INSIDE.runDir,
  INSIDE.relayDir,
  '/opt/atoll',
];

/** Host paths of one sandbox. */
export type SandboxPaths = {
  /** `<root>/<id>`: owned by the sandbox uid, 0700; removed by destroy. */
  root: string;
  /** Bound read-write at the spec's workdir. */
  work: string;
  /** Bound read-write at /tmp. */
  tmp: string;
  /** Bound read-only at /run/atoll; owned by the server. */
  run: string;
  /** Relay sockets of exposed ports, bound read-only at /run/atoll-relay; owned by the server. */
  relay: string;
};

export function isSandboxId(id: string): boolean {
  return SANDBOX_ID.test(id);
}

export function assertSandboxId(id: string): void {
  if (!isSandboxId(id)) throw new Error(`invalid sandbox id ${JSON.stringify(id)} (expected sbx_[a-z0-9]+)`);
}

export function sandboxPaths(root: string, id: string): SandboxPaths {
  assertSandboxId(id);
  const dir = path.join(root, id);
  return {
    root: dir,
    work: path.join(dir, 'work'),
    tmp: path.join(dir, 'tmp'),
    run: path.join(dir, 'run'),
    relay: path.join(dir, 'relay'),
  };
}

/** Throws unless `workdir` is a normalised absolute path clear of the system paths. */
export function assertWorkdir(workdir: string): void {
  const ok =
    path.posix.isAbsolute(workdir) &&
    path.posix.normalize(workdir) === workdir &&
    workdir !== '/' &&
    !workdir.endsWith('/') &&
    !/[\0\n]/.test(workdir);
  if (!ok)
    throw new Error(
      `invalid sandbox workdir ${JSON.stringify(workdir)}: expected a normalised absolute path`,
    );
  for (const reserved of RESERVED) {
    if (workdir === reserved || workdir.startsWith(`${reserved}/`) || reserved.startsWith(`${workdir}/`))
      throw new Error(`invalid sandbox workdir ${workdir}: it would cover or sit inside ${reserved}`);
  }
}
