/**
 * Runs the git CLI with an explicit, minimal environment: nothing is inherited from the server's own
 * environment (no GIT_DIR, GIT_INDEX_FILE, proxies or user config), system and global config are
 * off, and the few settings the store relies on are passed as command-line config. So what git does
 * depends only on the arguments and the repository, never on the machine it happens to run on.
 */
import { spawn } from 'node:child_process';
import { GitError } from './errors.ts';

/** Where git and the tools it calls are looked up (git finds its own helpers through its exec path). */
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const STDERR_CAP = 64 * 1024;

/** Config every git command of the store runs with (as if given with `git -c`). */
export const BASE_CONFIG: Readonly<Record<string, string>> = {
  // Wait for a ref lock held by a concurrent update instead of failing at once, so that a lost
  // compare-and-swap is reported as such (the old value no longer matches) rather than as "locked".
  'core.filesRefLockTimeout': '2000',
  'core.packedRefsTimeout': '2000',
  // Never fork a background gc that outlives the command.
  'gc.autoDetach': 'false',
  // The store's repositories have no hooks; make sure none could run.
  'core.hooksPath': '/dev/null',
};

export type GitSetup = {
  /** The git executable: a name looked up on a standard system PATH, or an absolute path. */
  git: string;
  /** HOME for git: a directory without user config (global config is disabled regardless). */
  home: string;
};

/** The whole environment of a git process: the minimal base plus `config` as GIT_CONFIG_* pairs. */
export function gitEnvironment(
  setup: GitSetup,
  config: Readonly<Record<string, string>> = {},
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: SYSTEM_PATH,
    HOME: setup.home,
    LC_ALL: 'C',
    TZ: 'UTC',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    // Paths are paths, never glob patterns or pathspec magic.
    GIT_LITERAL_PATHSPECS: '1',
    // glibc grows and trims the heap a little at a time; git fast-import on top of an existing commit
    // then spends over a second in brk() for 500 files on a VM where each call is slow. A 4 MiB pad
    // makes it ~0.1 s (bench/renders).
    MALLOC_TOP_PAD_: String(4 * 1024 * 1024),
    ...extra,
  };
  const entries = Object.entries({ ...BASE_CONFIG, ...config });
  env.GIT_CONFIG_COUNT = String(entries.length);
  entries.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return env;
}

export type RunOptions = {
  /** Written to stdin, which is then closed. */
  input?: string | Buffer;
};

/** Runs `git <args>` and resolves with its stdout; a failure rejects with GitError (with stderr). */
export async function runGit(setup: GitSetup, args: string[], options: RunOptions = {}): Promise<Buffer> {
  const out: Buffer[] = [];
  await streamGit(setup, args, (chunk) => void out.push(chunk), options);
  return Buffer.concat(out);
}

/**
 * Runs `git <args>` handing each chunk of its stdout to `onStdout` as it arrives. When `onStdout`
 * returns `'stop'`, git is killed and the call resolves `{ stopped: true }` (its exit status is then
 * not an error): a reader takes only as much output as it needs, however much git would write.
 * A failure before that rejects with GitError (with stderr).
 */
export function streamGit(
  setup: GitSetup,
  args: string[],
  onStdout: (chunk: Buffer) => 'stop' | void,
  options: RunOptions = {},
): Promise<{ stopped: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(setup.git, args, {
      env: gitEnvironment(setup),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    let settled = false;
    let stopped = false;
    const settle = (error: GitError | undefined) => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve({ stopped });
    };
    child.stdout.on('data', (chunk: Buffer) => {
      if (stopped) return;
      if (onStdout(chunk) === 'stop') {
        stopped = true;
        child.stdout.destroy();
        child.kill('SIGKILL');
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < STDERR_CAP) stderr += chunk.slice(0, STDERR_CAP - stderr.length);
    });
    // git may exit before reading all of stdin (a failure); the exit status tells what happened.
    child.stdin.on('error', () => {});
    child.on('error', (error) => {
      // Spawning failed (no git binary): there is no process to wait for.
      settle(new GitError(args, { exitCode: null, signal: null, stderr: error.message }, { cause: error }));
    });
    child.on('close', (exitCode, signal) => {
      if (exitCode === 0 || stopped) settle(undefined);
      else settle(new GitError(args, { exitCode, signal, stderr }));
    });
    child.stdin.end(options.input ?? '');
  });
}
