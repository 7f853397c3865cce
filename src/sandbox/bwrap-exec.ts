/**
 * One command in a bwrap sandbox, from spawn to the end of its last process.
 *
 * bwrap runs as the sandbox's uid, detached in its own process group, with --die-with-parent (the
 * server dying kills it, and it kills the sandbox). It reports its child (pid 1 of the sandbox's pid
 * namespace, which execs the wrapper, wrapper.ts) on --info-fd. When there is a cgroup or a network to
 * set up, the wrapper waits on a gate descriptor while the host moves it into the sandbox's cgroup and
 * attaches slirp4netns; only then does it set its limits and start the command. Because the wrapper is pid 1, bwrap exits only after every process of
 * the command is gone, and `exited` settles after that (and after slirp4netns stopped).
 */
import fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from 'pino';
import { bwrapArgs, envArgs } from './bwrap-args.ts';
import type { SandboxCgroup } from './cgroups.ts';
import { watchDisk, type DiskWatch } from './disk-watch.ts';
import type { ExecRequest, ExecResult, SandboxProcess, SandboxSpec } from './driver.ts';
import type { StdioEntry } from './inherited-fds.ts';
import { killIfSame, startTime, waitGone } from './kill.ts';
import type { SandboxPaths } from './layout.ts';
import type { Rlimits } from './limits.ts';
import { openRelayHub, type RelayHub } from './relay.ts';
import type { RemoteChild, Spawner } from './spawner.ts';
import { startSlirp, type Slirp } from './slirp.ts';
import type { SystemView } from './system-view.ts';
import { wrapperScript } from './wrapper.ts';

const MIB = 1024 * 1024;
const INFO_FD = 3;
const GATE_FD = 4;
const SECCOMP_FD = 5;
const ENV_FD = 6;

/** What every command of one sandbox shares. */
export type ExecEnvironment = {
  bwrap: string;
  slirp: string | undefined;
  /** The host uid/gid to run as; undefined when the server is not root (it runs as itself). */
  identity: { uid: number; gid: number } | undefined;
  view: SystemView;
  paths: SandboxPaths;
  spec: SandboxSpec;
  nodePath: string;
  relayScript: string;
  rlimits: Rlimits;
  /** The spawn stdio array for `base`, with inherited descriptors sealed off (inherited-fds.ts). */
  seal(base: StdioEntry[]): StdioEntry[];
  /** Starts bwrap from a small helper process (spawner.ts). */
  spawner: Spawner;
  log: Logger | undefined;
};

/** A running command as its sandbox tracks it. */
export type ExecHandle = SandboxProcess & {
  readonly expose: number | undefined;
  readonly relay: RelayHub | undefined;
  readonly done: boolean;
};

type KillReason = 'kill' | 'disk' | 'setup';

/** Starts `request`; `cgroup` is the sandbox's (while any of its commands run), if it has one. */
export function startExec(
  env: ExecEnvironment,
  request: ExecRequest,
  seq: number,
  cgroup: SandboxCgroup | undefined,
): ExecHandle {
  const { paths, spec } = env;
  // Validates the names and values too, before anything is made.
  const environment = envArgs(request.env);
  const expose = request.expose;
  if (expose !== undefined && !(Number.isInteger(expose) && expose > 0 && expose < 65536))
    throw new TypeError(`invalid port to expose: ${expose}`);
  const relaySpec = expose === undefined ? undefined : { socketName: `relay-${seq}.sock`, port: expose };
  if (relaySpec) fs.mkdirSync(paths.relay, { recursive: true, mode: 0o755 });
  const relay = relaySpec && openRelayHub({ dir: paths.relay, ...relaySpec, owner: env.identity });
  const needGate = cgroup !== undefined || spec.internetAccess;
  const args = bwrapArgs({
    view: env.view,
    paths,
    workdir: spec.workdir,
    nodePath: env.nodePath,
    relayScript: relay ? env.relayScript : undefined,
    tools: request.tools,
    internet: spec.internetAccess,
    shmBytes: Math.floor(spec.resources.memoryMb * MIB),
    fds: {
      env: ENV_FD,
      info: INFO_FD,
      seccomp: env.view.seccomp ? SECCOMP_FD : undefined,
    },
    script: wrapperScript(env.rlimits, { relay: relaySpec, gateFd: needGate ? GATE_FD : undefined }),
    command: request.command,
  });

  let child: RemoteChild;
  try {
    // Through the spawner process: a fork of the server itself costs ~17 ms (spawner.ts).
    child = env.spawner.spawn(env.bwrap, args, {
      ...env.identity,
      stdio: [
        'ignore',
        'pipe',
        'pipe',
        'pipe',
        needGate ? 'input' : 'ignore',
        env.view.seccomp ? { file: env.view.seccomp } : 'ignore',
        // The environment, never on argv (bwrap-args.ts).
        { data: environment },
      ],
    });
  } catch (error) {
    relay?.close();
    throw error;
  }
  let markSpawned!: () => void;
  const spawned = new Promise<void>((resolve) => (markSpawned = resolve));

  const output = (stream: 'stdout' | 'stderr', chunk: Buffer) => {
    try {
      request.onOutput(stream, chunk);
    } catch (error) {
      env.log?.warn({ err: error }, 'sandbox output listener failed');
    }
  };
  child.stdout!.on('data', (chunk: Buffer) => output('stdout', chunk));
  child.stderr!.on('data', (chunk: Buffer) => output('stderr', chunk));

  let childPid: number | undefined;
  let childStarted: string | undefined;
  let closed = false;
  let killReason: KillReason | undefined;
  let slirp: Slirp | undefined;
  let oomBaseline = 0;
  let spawnFailed = false;
  let markStarted!: () => void;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  let settle!: (result: ExecResult) => void;
  const exited = new Promise<ExecResult>((resolve) => (settle = resolve));
  let disk: DiskWatch | undefined;

  const handshake = async (infoText: string) => {
    try {
      childPid = Number(JSON.parse(infoText)['child-pid']);
      childStarted = startTime(childPid);
    } catch {
      return; // bwrap failed before its child existed; it exits on its own with its message on stderr.
    } finally {
      markStarted();
    }
    if (closed) return;
    try {
      oomBaseline = cgroup?.oomKills() ?? 0;
      cgroup?.add(childPid);
      if (spec.internetAccess)
        slirp = await startSlirp({
          binary: env.slirp!,
          pid: childPid,
          identity: env.identity,
          seal: env.seal,
        });
      (child.stdio[GATE_FD] as Writable | null)?.end('go\n');
    } catch (error) {
      output('stderr', Buffer.from(`sandbox: ${(error as Error).message}\n`));
      void terminate('setup');
    }
  };
  let infoText = '';
  const info = child.stdio[INFO_FD] as Readable;
  info.on('data', (chunk: Buffer) => (infoText += chunk.toString()));
  const handshaking = new Promise<void>((resolve) =>
    info.once('close', () => void handshake(infoText).then(resolve)),
  );
  info.on('error', () => {});
  (child.stdio[GATE_FD] as Writable | null)?.on('error', () => {});

  const finish = async (code: number | null, signal: NodeJS.Signals | null) => {
    if (closed) return;
    closed = true;
    markStarted();
    disk?.stop();
    relay?.close();
    try {
      await handshaking;
      if (childPid !== undefined) await waitGone(childPid, childStarted);
      await slirp?.stop();
    } catch (error) {
      env.log?.error({ err: error, sandbox: spec.id }, 'cleaning up after a sandboxed command failed');
    }
    settle(result(code, signal));
  };
  const result = (code: number | null, signal: NodeJS.Signals | null): ExecResult => {
    const oom = cgroup !== undefined && cgroup.oomKills() > oomBaseline;
    if (killReason === 'disk') return { exitCode: null, signal: 'SIGKILL', limit: 'disk' };
    if (oom && code !== 0)
      return code === 137 || signal !== null
        ? { exitCode: null, signal: 'SIGKILL', limit: 'memory' }
        : { exitCode: code, signal: null, limit: 'memory' };
    if (killReason !== undefined) return { exitCode: null, signal: 'SIGKILL', limit: null };
    if (spawnFailed) return { exitCode: 127, signal: null, limit: null };
    return { exitCode: code, signal, limit: null };
  };
  child.once('close', (code, signal) => void finish(code, signal));
  child.once('error', (error) => {
    if (child.pid !== undefined) return;
    spawnFailed = true;
    output('stderr', Buffer.from(`sandbox: cannot start bwrap: ${error.message}\n`));
    void finish(null, null);
  });

  const terminate = async (reason: KillReason) => {
    if (!closed) {
      killReason ??= reason;
      await started;
      if (!closed) {
        const group = () => {
          try {
            if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
          } catch {
            // Gone already.
          }
        };
        // Killing the namespace's pid 1 ends everything in it; bwrap then exits on its own.
        if (childPid === undefined || !killIfSame(childPid, childStarted)) group();
        const safety = setTimeout(group, 3000);
        await exited;
        clearTimeout(safety);
      }
    }
    await exited;
  };

  child.once('spawn', () => {
    markSpawned();
    if (closed) return;
    disk = watchDisk({
      dirs: [paths.work, paths.tmp],
      limitBytes: spec.resources.diskMb * MIB,
      onExceeded: () => void terminate('disk'),
    });
  });
  void exited.then(markSpawned);

  return {
    get pid() {
      return child.pid ?? 0;
    },
    started: spawned,
    exited,
    kill: () => terminate('kill'),
    expose,
    relay,
    get done() {
      return closed;
    },
  };
}
