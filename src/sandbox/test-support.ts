/**
 * Helpers for the sandbox tests: a real bwrap driver on a temporary data dir (with a secret file beside
 * the sandboxes, as the server's data would be), running commands to completion, and finding what is
 * left of a sandbox's processes on the host.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBwrapDriver } from './bwrap.ts';
import { detectCgroups } from './cgroups.ts';
import type {
  ExecRequest,
  ExecResult,
  Sandbox,
  SandboxDriver,
  SandboxResources,
  SandboxSpec,
} from './driver.ts';
import { pidsOfUid } from './kill.ts';

export const RESOURCES: SandboxResources = {
  memoryMb: 512,
  diskMb: 64,
  vcpus: 1,
  processes: 64,
  openFiles: 256,
};

export type TestDriver = {
  driver: SandboxDriver;
  /** The temporary server data dir; `root` is its `sandboxes`. */
  dataDir: string;
  root: string;
  /** A file of the "server" beside the sandboxes, which no sandbox may see. */
  secretFile: string;
  sandbox(overrides?: Partial<SandboxSpec>): Promise<Sandbox>;
  close(): Promise<void>;
};

let counter = 0;

export function testDriver(): TestDriver {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-sandbox-test-'));
  // The sandbox uids must pass through the data dir to their own directories (docs/sandbox.md).
  fs.chmodSync(base, 0o711);
  const dataDir = path.join(base, 'data');
  fs.mkdirSync(dataDir, { mode: 0o711 });
  const secretFile = path.join(dataDir, 'secret');
  fs.writeFileSync(secretFile, 'server secret\n', { mode: 0o600 });
  const root = path.join(dataDir, 'sandboxes');
  const driver = createBwrapDriver({ root });
  const made: Sandbox[] = [];
  return {
    driver,
    dataDir,
    root,
    secretFile,
    async sandbox(overrides = {}) {
      const sandbox = await driver.create({
        id: `sbx_t${process.pid}x${++counter}`,
        workdir: '/workspace/project',
        internetAccess: false,
        resources: RESOURCES,
        ...overrides,
      });
      made.push(sandbox);
      return sandbox;
    },
    async close() {
      await Promise.all(made.map((s) => s.destroy()));
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}

export type Finished = { result: ExecResult; stdout: string; stderr: string };

/** Runs a command to its end and collects its output. */
export async function run(
  sandbox: Sandbox,
  command: string,
  options: Partial<Omit<ExecRequest, 'command' | 'onOutput'>> = {},
): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  const proc = sandbox.exec({
    command,
    env: {},
    ...options,
    onOutput: (stream, chunk) => {
      if (stream === 'stdout') stdout += chunk.toString();
      else stderr += chunk.toString();
    },
  });
  return { result: await proc.exited, stdout, stderr };
}

/** The host uid a sandbox runs as (the owner of its directory). */
export function sandboxUid(sandbox: Sandbox): number {
  return fs.statSync(sandbox.hostRoot).uid;
}

/** The sandbox's cgroup directory (v2, or v1 pids), when this host gives sandboxes cgroups. */
export function cgroupDir(sandbox: Sandbox): string | undefined {
  const support = detectCgroups();
  if (support.kind === 'v2') return path.join(support.base, `atoll-${sandbox.id}`);
  if (support.kind === 'v1' && support.bases.pids)
    return path.join(support.bases.pids, `atoll-${sandbox.id}`);
  return undefined;
}

/** Live processes of the sandbox on the host: by uid, and in its cgroup when there is one. */
export function leftovers(sandbox: Sandbox): { byUid: number[]; inCgroup: number[] } {
  const dir = cgroupDir(sandbox);
  let inCgroup: number[] = [];
  try {
    if (dir)
      inCgroup = fs
        .readFileSync(path.join(dir, 'cgroup.procs'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(Number);
  } catch {
    // No cgroup (any more).
  }
  // When the server is not root, sandboxes run as its own uid, which says nothing about them.
  const byUid = process.getuid?.() === 0 ? pidsOfUid(sandboxUid(sandbox)) : [];
  return { byUid, inCgroup };
}

/** Whether this host gives sandboxes a cgroup at all. */
export function hasCgroup(): boolean {
  return detectCgroups().kind !== 'none';
}

/** Whether this host gives sandboxes a memory cgroup (else the memory limit is RLIMIT_AS only). */
export function hasMemoryCgroup(): boolean {
  const support = detectCgroups();
  return support.kind === 'v2' || (support.kind === 'v1' && support.bases.memory !== undefined);
}

export type ProcessScan = {
  /** `<pid> cmdline` or `<pid> environ` of each host process holding the needle. */
  holders: string[];
  /** The processes whose command line and environment were both read (the command line space-joined). */
  scanned: Array<{ pid: number; command: string }>;
};

/**
 * Reads /proc/<pid>/cmdline and /proc/<pid>/environ of every process on the host outside the
 * sandboxes (in this process's pid namespace; a sandbox's processes are in one of their own) and
 * reports those holding `needle`. Processes that end meanwhile, or that this user may not read, are
 * left out of `scanned`, so a test can check that the scan reached the processes it is about.
 */
export function scanHostProcesses(needle: string): ProcessScan {
  const ours = fs.readlinkSync('/proc/self/ns/pid');
  const holders: string[] = [];
  const scanned: ProcessScan['scanned'] = [];
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    const read = (file: string) => {
      try {
        return fs.readFileSync(`/proc/${pid}/${file}`);
      } catch {
        return undefined; // Gone meanwhile, or not this user's to read.
      }
    };
    let namespace: string;
    try {
      namespace = fs.readlinkSync(`/proc/${pid}/ns/pid`);
    } catch {
      namespace = ours; // Not this user's to look into: a host process all the same.
    }
    if (namespace !== ours) continue;
    const cmdline = read('cmdline');
    const environ = read('environ');
    if (cmdline?.includes(needle)) holders.push(`${pid} cmdline`);
    if (environ?.includes(needle)) holders.push(`${pid} environ`);
    if (cmdline && environ)
      scanned.push({ pid: Number(pid), command: cmdline.toString().split('\0').join(' ').trim() });
  }
  return { holders, scanned };
}
