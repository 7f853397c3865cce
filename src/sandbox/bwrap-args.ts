/**
 * The bwrap command line of one command: namespaces, identity, environment and the filesystem view
 * (see docs/sandbox.md for the table). Pure: everything it needs is in the plan.
 *
 * The environment is not on the command line: bwrap lives as long as the command, and any local user
 * reads every process's argv (`ps -eo args`). It goes, NUL-separated, into a pipe bwrap reads with
 * `--args` before it starts anything (`envArgs`); bwrap sets it in its heap, which no other user can
 * read, and hands it to the sandbox's first process. Its own environment is empty (spawner-child.ts).
 */
import { INSIDE, INSIDE_UID, type SandboxPaths } from './layout.ts';
import type { SystemView } from './system-view.ts';

export const DEFAULT_PATH = `${INSIDE.binDir}:/usr/local/bin:/usr/bin:/bin`;
export const DEFAULT_HOME = '/tmp';

/** Where ExecRequest.tools are bound: under /opt/tools, nowhere else. */
const TOOL_PATH = /^\/opt\/tools\/[A-Za-z0-9._/-]+$/;

const DEVICES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];

export type BwrapPlan = {
  view: SystemView;
  paths: SandboxPaths;
  /** Inside path of the workdir. */
  workdir: string;
  /** Host path of the Node binary (already resolved). */
  nodePath: string;
  /** Host path of relay.cjs, when this command exposes a port. */
  relayScript?: string;
  /** Host paths bound read-only under /opt/tools (ExecRequest.tools). */
  tools?: Array<{ host: string; inside: string }>;
  internet: boolean;
  /** Size of the /dev/shm tmpfs (its pages count as the sandbox's memory). */
  shmBytes: number;
  /** Descriptors in bwrap: --args (the environment, `envArgs`), --info-fd, --seccomp. */
  fds: { env: number; info: number; seccomp?: number };
  /** The wrapper script (wrapper.ts) and the user's command, its `$1`. */
  script: string;
  command: string;
};

/** The request's environment plus PATH and HOME defaults; throws on names or values bwrap cannot set. */
export function sandboxEnv(env: Record<string, string>): Record<string, string> {
  for (const [name, value] of Object.entries(env)) {
    if (name === '' || /[=\0]/.test(name))
      throw new TypeError(`invalid environment variable name ${JSON.stringify(name)}`);
    if (typeof value !== 'string' || value.includes('\0'))
      throw new TypeError(`invalid value for environment variable ${name}`);
  }
  return { PATH: DEFAULT_PATH, HOME: DEFAULT_HOME, ...env };
}

/**
 * What bwrap reads from `fds.env`: `--clearenv` and one `--setenv NAME VALUE` per variable of
 * `sandboxEnv(env)`, NUL-separated (bwrap's `--args` format). Names and values hold no NUL.
 */
export function envArgs(env: Record<string, string>): Buffer {
  const args = ['--clearenv'];
  for (const [name, value] of Object.entries(sandboxEnv(env))) args.push('--setenv', name, value);
  return Buffer.from(args.map((arg) => `${arg}\0`).join(''));
}

/** bwrap's argv. No environment value is on it: bwrap reads them from `fds.env` (`envArgs`). */
export function bwrapArgs(plan: BwrapPlan): string[] {
  const { view, paths } = plan;
  const args = [
    '--unshare-all',
    '--unshare-user',
    '--die-with-parent',
    '--new-session',
    '--as-pid-1',
    '--cap-drop',
    'ALL',
    '--uid',
    String(INSIDE_UID),
    '--gid',
    String(INSIDE_UID),
    '--hostname',
    'sandbox',
    // Read before anything else is set up; bwrap closes the descriptor after reading it.
    '--args',
    String(plan.fds.env),
  ];

  args.push('--ro-bind', '/usr', '/usr');
  for (const entry of view.topLevel) {
    if ('symlink' in entry) args.push('--symlink', entry.symlink, `/${entry.name}`);
    else args.push('--ro-bind', `/${entry.name}`, `/${entry.name}`);
  }
  args.push('--proc', '/proc');

  // A minimal /dev without bwrap's --dev: that one mounts a devpts, for which bwrap maps root in a first
  // user namespace and the sandbox user in a second, which slirp4netns could not join (seccomp.ts).
  args.push('--tmpfs', '/dev');
  for (const device of DEVICES) args.push('--dev-bind-try', `/dev/${device}`, `/dev/${device}`);
  args.push('--symlink', '/proc/self/fd', '/dev/fd');
  ['stdin', 'stdout', 'stderr'].forEach((name, fd) =>
    args.push('--symlink', `/proc/self/fd/${fd}`, `/dev/${name}`),
  );
  args.push(
    '--perms',
    '1777',
    '--size',
    String(plan.shmBytes),
    '--tmpfs',
    '/dev/shm',
    '--remount-ro',
    '/dev',
  );

  args.push('--ro-bind', plan.internet ? view.etc.online : view.etc.offline, '/etc');
  for (const entry of view.etcBinds) args.push('--ro-bind', `/etc/${entry}`, `/etc/${entry}`);

  args.push('--ro-bind', plan.nodePath, INSIDE.node);
  for (const tool of plan.tools ?? []) {
    if (!TOOL_PATH.test(tool.inside) || tool.inside.split('/').includes('..'))
      throw new TypeError(`a tool must be bound under /opt/tools (got ${JSON.stringify(tool.inside)})`);
    args.push('--ro-bind', tool.host, tool.inside);
  }
  if (plan.relayScript) {
    args.push('--ro-bind', plan.relayScript, INSIDE.relayScript, '--ro-bind', paths.relay, INSIDE.relayDir);
  }
  args.push(
    '--bind',
    paths.tmp,
    '/tmp',
    '--bind',
    paths.work,
    plan.workdir,
    '--ro-bind',
    paths.run,
    INSIDE.runDir,
  );
  args.push('--remount-ro', '/', '--chdir', plan.workdir);

  args.push('--info-fd', String(plan.fds.info));
  if (plan.fds.seccomp !== undefined) args.push('--seccomp', String(plan.fds.seccomp));
  args.push('--', '/bin/sh', '-c', plan.script, 'sh', plan.command);
  return args;
}
