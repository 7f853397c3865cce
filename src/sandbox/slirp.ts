/**
 * Outbound network for a sandbox with internet access: slirp4netns, a user-mode TCP/IP stack, attached
 * to the sandbox's network namespace as a tap device (10.0.2.100/24, gateway 10.0.2.2, DNS 10.0.2.3). It
 * runs as the sandbox's uid (joining the sandbox's user namespace, which that uid owns, to reach its
 * network namespace), with its own seccomp filter, and refuses connections to the host's loopback
 * (--disable-host-loopback), so services on the host's 127.0.0.1 stay out of reach. It needs
 * /dev/net/tun usable by unprivileged users (mode 0666, the usual default).
 */
import { spawn } from 'node:child_process';
import type { StdioEntry } from './inherited-fds.ts';

export type Slirp = { stop(): Promise<void> };

export function startSlirp(options: {
  binary: string;
  /** Host pid of a process in the sandbox's namespaces (bwrap's child). */
  pid: number;
  identity?: { uid: number; gid: number };
  /** Seals off the server's inherited descriptors (inherited-fds.ts). */
  seal(base: StdioEntry[]): StdioEntry[];
  timeoutMs?: number;
}): Promise<Slirp> {
  const ns = (name: string) => `/proc/${options.pid}/ns/${name}`;
  const child = spawn(
    options.binary,
    [
      '--configure',
      '--mtu=65520',
      '--disable-host-loopback',
      '--enable-seccomp',
      '--ready-fd=3',
      `--userns-path=${ns('user')}`,
      '--netns-type=path',
      ns('net'),
      'tap0',
    ],
    // Nothing of the server's environment: slirp4netns runs as the sandbox's uid and needs none of it.
    { ...options.identity, env: {}, stdio: options.seal(['ignore', 'ignore', 'pipe', 'pipe']) },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.length < 4096) stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async () => {
    child.kill('SIGKILL');
    await exited;
  };
  return new Promise<Slirp>((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void stop().then(() =>
        reject(new Error(`slirp4netns ${why}: ${stderr.trim().split('\n').join('; ')}`)),
      );
    };
    const timer = setTimeout(() => fail('did not come up in time'), options.timeoutMs ?? 5000);
    child.once('error', (error) => fail(`could not start (${error.message})`));
    child.once('exit', (code) => fail(`exited with ${code}`));
    child.stdio[3]!.once('data', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ stop });
    });
  });
}
