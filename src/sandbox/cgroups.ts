/**
 * A cgroup per sandbox where the server may make one, named `atoll-<sandbox id>`: on cgroup v2 beside
 * the server's own cgroup in a delegated subtree (see delegatedBase), else as a child of the server's
 * cgroups on the v1 memory, pids and cpu hierarchies that are mounted writable. It holds the real memory
 * limit (no swap beyond it), the task limit and a CPU quota, counts OOM kills, and kills whatever is
 * left in it. It lives while the sandbox's commands run (bwrap-sandbox.ts). Without one the sandbox
 * still has its rlimits (limits.ts); the driver logs that once.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SandboxResources } from './driver.ts';

type Controller = 'memory' | 'pids' | 'cpu';

export type CgroupSupport =
  | { kind: 'v2'; base: string }
  | { kind: 'v1'; bases: Partial<Record<Controller, string>> }
  | { kind: 'none'; reason: string };

export type SandboxCgroup = {
  /** Moves a process (and its future children) into the sandbox's cgroup. */
  add(pid: number): void;
  /** OOM kills in the cgroup so far. */
  oomKills(): number;
  /** Kills every process in the cgroup, until none is left. */
  killAll(): Promise<void>;
  /** Kills what is left and removes the cgroup. */
  remove(): Promise<void>;
  /** Removes the cgroup if nothing is in it; false when something still is. */
  removeIfEmpty(): boolean;
};

const CPU_PERIOD_US = 100_000;
const MIB = 1024 * 1024;

type Mount = { root: string; point: string; type: string; options: string[] };

function mounts(): Mount[] {
  const unescape = (s: string) =>
    s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .flatMap((line) => {
      const [left, right] = line.split(' - ');
      if (!left || !right) return [];
      const fields = left.split(' ');
      const [type = '', , superOptions = ''] = right.split(' ');
      return [
        { root: unescape(fields[3]!), point: unescape(fields[4]!), type, options: superOptions.split(',') },
      ];
    });
}

/** The server's own cgroup directory in `mount`, or undefined when it is not visible there. */
function ownDir(mount: Mount, ownPath: string): string | undefined {
  const rel = path.posix.relative(mount.root, ownPath);
  return rel.startsWith('..') ? undefined : path.join(mount.point, rel);
}

/** Where sandbox cgroups can be made, from /proc/self/{cgroup,mountinfo}. */
export function detectCgroups(): CgroupSupport {
  let own: Array<{ controllers: string[]; path: string }>;
  let all: Mount[];
  try {
    own = fs
      .readFileSync('/proc/self/cgroup', 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const [, controllers = '', ...rest] = line.split(':');
        return { controllers: controllers.split(','), path: rest.join(':') };
      });
    all = mounts();
  } catch (error) {
    return { kind: 'none', reason: `cannot read /proc/self/cgroup: ${(error as Error).message}` };
  }
  const unified = own.find((c) => c.controllers.length === 1 && c.controllers[0] === '');
  const v2 = unified && all.find((m) => m.type === 'cgroup2' && ownDir(m, unified.path));
  if (unified && v2) {
    const base = delegatedBase(v2, ownDir(v2, unified.path)!);
    if (base) return { kind: 'v2', base };
  }
  const bases: Partial<Record<Controller, string>> = {};
  for (const controller of ['memory', 'pids', 'cpu'] as const) {
    const mine = own.find((c) => c.controllers.includes(controller));
    const mount = all.find((m) => m.type === 'cgroup' && m.options.includes(controller));
    const dir = mine && mount && ownDir(mount, mine.path);
    if (dir && isWritableDir(dir)) bases[controller] = dir;
  }
  if (bases.memory || bases.pids) return { kind: 'v1', bases };
  return { kind: 'none', reason: 'no writable memory or pids cgroup (v2 delegation or v1 hierarchy)' };
}

/**
 * Where sandbox cgroups go on cgroup v2. A cgroup with processes cannot enable controllers for children
 * (the "no internal processes" rule), so this is the server's own cgroup only if it already does (the
 * root); otherwise its parent, when writable and not a systemd slice: the layout of a delegated subtree
 * with the server in a leaf of its own (systemd `Delegate=yes` with `DelegateSubgroup=`), where the
 * sandboxes become the server's siblings. memory and pids are enabled there if needed, cpu if possible.
 */
function delegatedBase(mount: Mount, own: string): string | undefined {
  const candidates = own === mount.point ? [own] : [own, path.dirname(own)];
  for (const base of candidates) {
    if (base !== own && (path.basename(base).endsWith('.slice') || !isWritableDir(base))) continue;
    if (enableControllers(base, ['memory', 'pids'])) {
      enableControllers(base, ['cpu']);
      return base;
    }
  }
  return undefined;
}

function enableControllers(base: string, controllers: string[]): boolean {
  try {
    const available = read(path.join(base, 'cgroup.controllers')).split(/\s+/);
    if (!controllers.every((c) => available.includes(c))) return false;
    const file = path.join(base, 'cgroup.subtree_control');
    const enabled = read(file).split(/\s+/);
    const missing = controllers.filter((c) => !enabled.includes(c));
    if (missing.length > 0) fs.writeFileSync(file, missing.map((c) => `+${c}`).join(' '));
    return true;
  } catch {
    return false;
  }
}

function isWritableDir(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function read(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

function counter(file: string, name: string): number {
  try {
    const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(read(file));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

function tryWrite(file: string, value: string): void {
  try {
    fs.writeFileSync(file, value);
  } catch {
    // An optional knob (swap accounting, cpu controller) this kernel or mount does not offer.
  }
}

function dirsOf(support: CgroupSupport, name: string): Partial<Record<Controller, string>> {
  if (support.kind === 'v2') return { memory: path.join(support.base, name) };
  if (support.kind === 'v1')
    return Object.fromEntries(Object.entries(support.bases).map(([c, base]) => [c, path.join(base, name)]));
  return {};
}

/** Makes the sandbox's cgroup with its limits; throws when the cgroup cannot be made. */
export function createSandboxCgroup(
  support: CgroupSupport,
  name: string,
  resources: SandboxResources,
): SandboxCgroup {
  const dirs = dirsOf(support, name);
  try {
    for (const dir of Object.values(dirs)) fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    setLimits(support, dirs, resources);
  } catch (error) {
    for (const dir of Object.values(dirs)) {
      try {
        fs.rmdirSync(dir);
      } catch {
        // Not made, or not empty: left for remove().
      }
    }
    throw error;
  }
  return handle(support, dirs);
}

function setLimits(
  support: CgroupSupport,
  dirs: Partial<Record<Controller, string>>,
  resources: SandboxResources,
) {
  const memory = String(Math.floor(resources.memoryMb * MIB));
  const quota = String(Math.max(1000, Math.round(resources.vcpus * CPU_PERIOD_US)));
  if (support.kind === 'v2') {
    const dir = dirs.memory!;
    fs.writeFileSync(path.join(dir, 'memory.max'), memory);
    tryWrite(path.join(dir, 'memory.swap.max'), '0');
    fs.writeFileSync(path.join(dir, 'pids.max'), String(Math.floor(resources.processes)));
    tryWrite(path.join(dir, 'cpu.max'), `${quota} ${CPU_PERIOD_US}`);
  } else {
    if (dirs.memory) {
      fs.writeFileSync(path.join(dirs.memory, 'memory.limit_in_bytes'), memory);
      tryWrite(path.join(dirs.memory, 'memory.memsw.limit_in_bytes'), memory);
    }
    if (dirs.pids)
      fs.writeFileSync(path.join(dirs.pids, 'pids.max'), String(Math.floor(resources.processes)));
    if (dirs.cpu) {
      tryWrite(path.join(dirs.cpu, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
      tryWrite(path.join(dirs.cpu, 'cpu.cfs_quota_us'), quota);
    }
  }
}

/** The cgroup a crashed server left for `name`, if any. */
export function existingSandboxCgroup(support: CgroupSupport, name: string): SandboxCgroup | undefined {
  const dirs = Object.fromEntries(
    Object.entries(dirsOf(support, name)).filter(([, dir]) => fs.existsSync(dir)),
  );
  return Object.keys(dirs).length > 0 ? handle(support, dirs) : undefined;
}

function handle(support: CgroupSupport, dirs: Partial<Record<Controller, string>>): SandboxCgroup {
  const list = Object.values(dirs);
  const procs = () =>
    new Set(
      list.flatMap((dir) => {
        try {
          return read(path.join(dir, 'cgroup.procs')).split('\n').filter(Boolean).map(Number);
        } catch {
          return [];
        }
      }),
    );
  const killAll = async () => {
    if (support.kind === 'v2') tryWrite(path.join(list[0]!, 'cgroup.kill'), '1');
    for (let round = 0; round < 200; round++) {
      const pids = procs();
      if (pids.size === 0) return;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
      await sleep(10);
    }
  };
  return {
    add(pid) {
      for (const dir of list) fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
    },
    oomKills() {
      if (!dirs.memory) return 0;
      return support.kind === 'v2'
        ? counter(path.join(dirs.memory, 'memory.events'), 'oom_kill')
        : counter(path.join(dirs.memory, 'memory.oom_control'), 'oom_kill');
    },
    killAll,
    removeIfEmpty() {
      for (const dir of list) {
        try {
          fs.rmdirSync(dir);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return false;
        }
      }
      return true;
    },
    async remove() {
      await killAll();
      for (const dir of list) {
        for (let attempt = 0; ; attempt++) {
          try {
            fs.rmdirSync(dir);
            break;
          } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (code === 'ENOENT') break;
            if (code !== 'EBUSY' || attempt >= 100) throw error;
            await killAll();
            await sleep(10);
          }
        }
      }
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
