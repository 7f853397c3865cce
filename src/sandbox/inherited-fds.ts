/**
 * Descriptors the server inherited without close-on-exec (a supervisor's pipe, a socket…). Node opens
 * everything close-on-exec, but a child inherits these whatever the spawn options say, and bwrap hands
 * them on into the sandbox. Spawns of sandbox processes map each of them to /dev/null instead, so that
 * nothing of the server's environment reaches a sandbox. The set is fixed at start, so it is read once.
 */
import fs from 'node:fs';

const O_CLOEXEC = 0o2000000;

/** Inherited descriptors (≥ 3) without close-on-exec. */
export function leakingDescriptors(): number[] {
  const fds: number[] = [];
  for (const name of fs.readdirSync('/proc/self/fd')) {
    const fd = Number(name);
    if (!(fd >= 3)) continue;
    try {
      const flags = /^flags:\s+([0-7]+)/m.exec(fs.readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
      if (flags !== undefined && (parseInt(flags, 8) & O_CLOEXEC) === 0) fds.push(fd);
    } catch {
      // Closed meanwhile (e.g. the descriptor of the directory listing itself).
    }
  }
  return fds;
}

export type StdioEntry = 'ignore' | 'pipe' | number;

/**
 * A spawn stdio array: `base` for the first descriptors, and /dev/null (`devNull`, an open descriptor)
 * in place of every leaking descriptor that `base` leaves unset.
 */
export function sealedStdio(base: StdioEntry[], leaking: number[], devNull: number): StdioEntry[] {
  const stdio = [...base];
  for (const fd of leaking) {
    while (stdio.length <= fd) stdio.push('ignore');
    if (stdio[fd] === 'ignore') stdio[fd] = devNull;
  }
  return stdio;
}
