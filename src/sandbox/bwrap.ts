/**
 * The bubblewrap sandbox driver: each sandbox is a directory under `root`, a host uid of its own (when
 * the server is root), a cgroup where one can be made, and, per command, a bwrap process tree in fresh
 * user, pid, mount, ipc, uts, cgroup and network namespaces. See docs/sandbox.md for what a sandbox
 * sees and how each limit is enforced.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { openSandbox } from './bwrap-sandbox.ts';
import {
  createSandboxCgroup,
  detectCgroups,
  existingSandboxCgroup,
  type CgroupSupport,
  type SandboxCgroup,
} from './cgroups.ts';
import { BWRAP_MISSING, findExecutable, probeSandbox, SLIRP_MISSING } from './check.ts';
import type { DriverCheck, Sandbox, SandboxDriver, SandboxSpec } from './driver.ts';
import { leakingDescriptors, sealedStdio, type StdioEntry } from './inherited-fds.ts';
import { createSpawner, type Spawner } from './spawner.ts';
import { killUid } from './kill.ts';
import { assertSandboxId, assertWorkdir, isSandboxId, sandboxPaths } from './layout.ts';
import { readHardLimits, rlimitsFor, type HardLimits } from './limits.ts';
import { removeTree } from './remove-tree.ts';
import { prepareSystemView, type SystemView } from './system-view.ts';
import { createUidPool } from './uid-pool.ts';

export type BwrapDriverOptions = {
  /** Host directory holding one directory per sandbox, e.g. DATA_DIR/sandboxes. */
  root: string;
  /** The Node binary bound at /opt/atoll/bin/node inside; default this process's (symlinks resolved). */
  nodePath?: string;
  /** Added to memoryMb for RLIMIT_AS (V8 reserves far more address space than it uses). Default 4096. */
  asOverheadMb?: number;
  /** First host uid for sandboxes when the server is root; the range is 65536 uids. Default 200000. */
  uidBase?: number;
  log?: Logger;
};

type Setup = {
  view: SystemView;
  hard: HardLimits;
  nodePath: string;
  cgroups: CgroupSupport;
  seal(base: StdioEntry[]): StdioEntry[];
  spawner: Spawner;
};

export function createBwrapDriver(options: BwrapDriverOptions): SandboxDriver {
  const root = path.resolve(options.root);
  const log = options.log;
  const asOverheadMb = options.asOverheadMb ?? 4096;
  const asRoot = process.getuid?.() === 0;
  const pool = asRoot ? createUidPool(options.uidBase ?? 200_000) : undefined;
  const bwrap = findExecutable('bwrap');
  const slirp = findExecutable('slirp4netns');
  const relayScript = path.join(import.meta.dirname, 'relay.cjs');
  const live = new Map<string, Sandbox>();
  let setup: Setup | undefined;
  let checked: Promise<DriverCheck> | undefined;
  let checkedInternet: Promise<DriverCheck> | undefined;

  const prepare = (): Setup => {
    if (setup) return setup;
    fs.mkdirSync(root, { recursive: true, mode: 0o711 });
    // Sandbox uids must pass through it to their own directories (they cannot list it).
    if (asRoot) fs.chmodSync(root, 0o711);
    const cgroups = detectCgroups();
    if (cgroups.kind === 'none')
      log?.warn({ reason: cgroups.reason }, 'sandboxes get no cgroup: memory is bounded by RLIMIT_AS only');
    if (!asRoot) log?.info('the server is not root: sandboxes run as its own uid');
    const leaking = leakingDescriptors();
    const devNull = fs.openSync('/dev/null', 'r');
    setup = {
      seal: (base) => sealedStdio(base, leaking, devNull),
      spawner: createSpawner(),
      view: prepareSystemView(root),
      hard: readHardLimits(),
      nodePath: fs.realpathSync(options.nodePath ?? process.execPath),
      cgroups,
    };
    return setup;
  };

  const makeCgroup = (spec: SandboxSpec, s: Setup): SandboxCgroup | undefined => {
    if (s.cgroups.kind === 'none') return undefined;
    try {
      return createSandboxCgroup(s.cgroups, `atoll-${spec.id}`, spec.resources);
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        log?.warn({ reason: message }, 'sandbox cgroups cannot be made: memory is bounded by RLIMIT_AS only');
        s.cgroups = { kind: 'none', reason: message };
      } else log?.warn({ err: error, sandbox: spec.id }, 'this sandbox gets no cgroup: rlimits only');
      return undefined;
    }
  };

  const create = async (spec: SandboxSpec): Promise<Sandbox> => {
    assertSandboxId(spec.id);
    assertWorkdir(spec.workdir);
    if (!bwrap) throw new Error(BWRAP_MISSING);
    if (spec.internetAccess && !slirp) throw new Error(SLIRP_MISSING);
    if (live.has(spec.id)) throw new Error(`sandbox ${spec.id} exists already`);
    const s = prepare();
    const rlimits = rlimitsFor(spec.resources, asOverheadMb, s.hard);
    const paths = sandboxPaths(root, spec.id);
    const uid = pool?.acquire();
    const identity = uid === undefined ? undefined : { uid, gid: uid };
    try {
      fs.mkdirSync(paths.root, { mode: 0o700 });
    } catch (error) {
      if (uid !== undefined) pool!.release(uid);
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new Error(`sandbox ${spec.id} has a directory already (${paths.root}); remove it first`);
      throw error;
    }
    try {
      fs.mkdirSync(paths.work, { mode: 0o755 });
      fs.mkdirSync(paths.tmp, { mode: 0o755 });
      fs.mkdirSync(paths.run, { mode: 0o755 });
      if (identity)
        for (const dir of [paths.root, paths.work, paths.tmp]) fs.chownSync(dir, identity.uid, identity.gid);
    } catch (error) {
      fs.rmSync(paths.root, { recursive: true, force: true });
      if (uid !== undefined) pool!.release(uid);
      throw error;
    }
    const environment = {
      bwrap,
      slirp,
      identity,
      view: s.view,
      paths,
      spec: structuredClone(spec),
      nodePath: s.nodePath,
      relayScript,
      rlimits,
      seal: s.seal,
      spawner: s.spawner,
      log,
    };
    const sandbox = openSandbox(environment, {
      makeCgroup: () => makeCgroup(spec, s),
      onDestroyed: () => {
        live.delete(spec.id);
        if (uid !== undefined) pool!.release(uid);
      },
    });
    live.set(spec.id, sandbox);
    return sandbox;
  };

  /** Removal of a sandbox this process does not hold: what a crashed server left behind. */
  const recover = async (id: string) => {
    const paths = sandboxPaths(root, id);
    const owner = fs.lstatSync(paths.root, { throwIfNoEntry: false })?.uid;
    const cgroups = setup?.cgroups ?? detectCgroups();
    await existingSandboxCgroup(cgroups, `atoll-${id}`)?.remove();
    // Processes that never reached the cgroup (a server dying while starting a command leaves at
    // most a bwrap stuck in its setup) are found by the sandbox's uid, the directory's owner.
    if (owner !== undefined && pool?.covers(owner) && !pool.holds(owner)) await killUid(owner);
    await removeTree(paths.root);
  };

  const check = (): Promise<DriverCheck> => {
    checked ??= bwrap ? probeSandbox(create, false) : Promise.resolve({ ok: false, reason: BWRAP_MISSING });
    return checked;
  };

  return {
    name: 'bwrap',
    check,
    checkInternet() {
      checkedInternet ??= (async (): Promise<DriverCheck> => {
        if (!slirp) return { ok: false, reason: SLIRP_MISSING };
        const base = await check();
        return base.ok ? probeSandbox(create, true) : base;
      })();
      return checkedInternet;
    },
    create,
    async remove(id) {
      assertSandboxId(id);
      const sandbox = live.get(id);
      if (sandbox) return sandbox.destroy();
      await recover(id);
    },
    async list() {
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(root, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      return entries.filter((e) => e.isDirectory() && isSandboxId(e.name)).map((e) => e.name);
    },
  };
}
