/**
 * Resource limits of a sandbox as rlimits. They are set by the sandbox's first process (a shell, see
 * wrapper.ts) with `ulimit`, which sets soft and hard limits at once and costs no extra process; nothing
 * inside can raise a hard limit again (that needs CAP_SYS_RESOURCE in the host's user namespace).
 *
 * RLIMIT_NPROC is counted per user *and user namespace*: each sandbox has its own, so the count is the
 * sandbox's tasks (threads included) whatever its host uid. RLIMIT_AS cannot enforce memory on its own:
 * V8 reserves far more address space than it uses (Node 24 does not start under ~1.5 GiB), so it is
 * memoryMb + asOverheadMb and the real memory limit is the cgroup's (cgroups.ts).
 */
import fs from 'node:fs';
import type { SandboxResources } from './driver.ts';

export type Rlimits = {
  processes: number;
  openFiles: number;
  /** Largest file a process may write (RLIMIT_FSIZE). */
  fileBytes: number;
  /** RLIMIT_AS. */
  addressSpaceBytes: number;
};

/** Hard limits of the server process, which bound what a sandbox can be given. */
export type HardLimits = Partial<Record<keyof Rlimits, number>>;

const MIB = 1024 * 1024;

/** The rlimits for `resources`; throws when a resource is not a positive number. */
export function rlimitsFor(resources: SandboxResources, asOverheadMb: number, hard: HardLimits): Rlimits {
  if (!(Number.isFinite(resources.vcpus) && resources.vcpus > 0))
    throw new Error(`invalid sandbox limit vcpus: ${resources.vcpus}`);
  const want: Rlimits = {
    processes: resources.processes,
    openFiles: resources.openFiles,
    fileBytes: resources.diskMb * MIB,
    addressSpaceBytes: (resources.memoryMb + asOverheadMb) * MIB,
  };
  for (const key of Object.keys(want) as Array<keyof Rlimits>) {
    const value = want[key];
    if (!Number.isFinite(value) || value < 1) throw new Error(`invalid sandbox limit ${key}: ${value}`);
    want[key] = Math.min(Math.floor(value), hard[key] ?? Infinity);
  }
  return want;
}

const LIMIT_NAMES: Record<string, keyof Rlimits> = {
  'Max processes': 'processes',
  'Max open files': 'openFiles',
  'Max file size': 'fileBytes',
  'Max address space': 'addressSpaceBytes',
};

/** The server's hard limits from /proc/self/limits (unlimited ones are left out). */
export function readHardLimits(file = '/proc/self/limits'): HardLimits {
  const hard: HardLimits = {};
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return hard;
  }
  for (const line of text.split('\n')) {
    const match = /^(Max [a-z ]+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    const key = match && LIMIT_NAMES[match[1]!];
    if (key && match[3] !== 'unlimited') hard[key] = Number(match[3]);
  }
  return hard;
}

/**
 * dash's `ulimit` commands for the limits (-f counts 512-byte blocks, -v KiB), with core dumps off.
 * Only numbers are interpolated.
 */
export function ulimitCommands(limits: Rlimits): string {
  return [
    'ulimit -c 0',
    `ulimit -n ${limits.openFiles}`,
    `ulimit -f ${Math.max(1, Math.floor(limits.fileBytes / 512))}`,
    `ulimit -v ${Math.floor(limits.addressSpaceBytes / 1024)}`,
    `ulimit -p ${limits.processes}`,
  ].join(' && ');
}
