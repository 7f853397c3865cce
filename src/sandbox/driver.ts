/**
 * The seam between agent runs and whatever isolates their processes. A driver makes sandboxes (a
 * private filesystem view with a writable workdir and /tmp, limits, no network unless asked), runs
 * shell commands in them, and removes them. The first driver is bubblewrap on the local host
 * (bwrap.ts); a Kubernetes driver is planned. See docs/sandbox.md.
 */
import type { Duplex } from 'node:stream';

export type SandboxResources = {
  /** Memory the sandbox may use, in MiB (address-space rlimit plus a cgroup limit where available). */
  memoryMb: number;
  /** Disk the sandbox may write (workdir + /tmp), in MiB; also the largest single file. */
  diskMb: number;
  /** CPUs; advisory for the bwrap driver (documented), a quota where a cgroup is available. */
  vcpus: number;
  /** Processes (and threads) the sandbox may have at once. */
  processes: number;
  /** Open file descriptors per process. */
  openFiles: number;
};

export type SandboxSpec = {
  /** `sbx_…`; also the name of its directory on the host. */
  id: string;
  /** Absolute path of the workdir inside the sandbox, e.g. /workspace/project. */
  workdir: string;
  resources: SandboxResources;
  /** Outbound network (see docs/sandbox.md for what it grants); without it only an isolated loopback. */
  internetAccess: boolean;
};

export type OutputStream = 'stdout' | 'stderr';

export type ExecRequest = {
  /** A shell string, run as `/bin/sh -c <command>` in the workdir. */
  command: string;
  /** The whole environment of the process (nothing of the host's is inherited). */
  env: Record<string, string>;
  /** Raw output as it arrives. */
  onOutput(stream: OutputStream, chunk: Buffer): void;
  /** A TCP port inside the sandbox that `Sandbox.connect` must reach while this command runs (services). */
  expose?: number;
  /**
   * Host files or directories bound read-only into the sandbox for this command (a tool such as helm).
   * Each `inside` must be an absolute path under /opt/tools.
   */
  tools?: Array<{ host: string; inside: string }>;
};

export type ExecResult = {
  /** The process's exit code, or null when it was ended by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the driver ended the process because a limit was crossed. */
  limit: 'disk' | 'memory' | null;
};

export type SandboxProcess = {
  /** The host pid of the process that heads the sandboxed tree; 0 until `started` resolves. */
  readonly pid: number;
  /** Resolves once the process exists and `pid` is set (or it could not be started). */
  readonly started: Promise<void>;
  /** Settles once every process of the command is gone. Never rejects. */
  readonly exited: Promise<ExecResult>;
  /** Kills the whole process tree (also double-forked and setsid children); resolves once all are gone. */
  kill(): Promise<void>;
};

export type Sandbox = {
  readonly id: string;
  /** Host directory holding everything of this sandbox (removed by `destroy`). */
  readonly hostRoot: string;
  /** Host path of the workdir: the bundle is materialised here and outputs are read from here. */
  readonly hostWorkdir: string;
  /** Host path of /run/atoll inside (read-only inside): the run's input.json goes here. */
  readonly hostRunDir: string;
  /** Path of `hostRunDir` inside the sandbox (/run/atoll). */
  readonly runDir: string;
  /** Starts a command. One sandbox may run several commands one after another (install, then entrypoint). */
  exec(request: ExecRequest): SandboxProcess;
  /**
   * A byte stream to a TCP port inside the sandbox (services: probes and the proxy). Resolves once the
   * connection to the port inside is established; rejects when nothing listens there. Only for the
   * port named by `expose` of a command that is still running.
   */
  connect(port: number): Promise<Duplex>;
  /** Kills whatever still runs and removes the host directory. Idempotent. */
  destroy(): Promise<void>;
};

export type DriverCheck = { ok: true } | { ok: false; reason: string };

export type SandboxDriver = {
  readonly name: string;
  /** Whether sandboxes can be made here; when not, `reason` names what to install. Cached after the first call. */
  check(): Promise<DriverCheck>;
  /** Whether `internetAccess: true` can be honoured; when not, `reason` names what to install. */
  checkInternet(): Promise<DriverCheck>;
  /** Makes the sandbox's directories (empty workdir, /tmp, run dir). */
  create(spec: SandboxSpec): Promise<Sandbox>;
  /** Removes a sandbox's host directory by id (retention sweeper, recovery after a crash). Idempotent. */
  remove(id: string): Promise<void>;
  /** Ids of sandboxes whose directories exist on this host. */
  list(): Promise<string[]>;
};
