/**
 * Finding and killing sandbox processes from the host. A command's processes all live in its own pid
 * namespace, whose first process is the wrapper (wrapper.ts): SIGKILL to it makes the kernel kill
 * everything else in the namespace, forks racing the kill included, and bwrap (its parent) exits only
 * once they are all gone. Pids are checked against their start time before a signal, so a recycled
 * pid is never hit. The uid scan is for recovery after a crash of the server, when only the owner of a
 * sandbox's directory is known.
 */
import fs from 'node:fs';

/** A process's start time (in clock ticks since boot), or undefined when it is gone. */
export function startTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses); starttime is field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' || fields[0] === 'X' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/** Whether `pid` is still the (live, not zombie) process that started at `started`. */
export function isSameProcess(pid: number, started: string | undefined): boolean {
  return started !== undefined && startTime(pid) === started;
}

/** SIGKILL to `pid` if it is still the process that started at `started`. */
export function killIfSame(pid: number, started: string | undefined): boolean {
  if (!isSameProcess(pid, started)) return false;
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/** Pids of live processes whose real uid is `uid`. */
export function pidsOfUid(uid: number): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = fs.readFileSync(`/proc/${name}/status`, 'utf8');
      const state = /^State:\s+(\S)/m.exec(status)?.[1];
      const real = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      if (real === String(uid) && state !== 'Z' && state !== 'X') pids.push(Number(name));
    } catch {
      // Exited while we looked.
    }
  }
  return pids;
}

/** Kills every process of `uid` until none is left (a few rounds against forks). */
export async function killUid(uid: number): Promise<void> {
  for (let round = 0; round < 100; round++) {
    const pids = pidsOfUid(uid);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves once `pid` (started at `started`) is gone or a zombie, polling; false on timeout. */
export async function waitGone(pid: number, started: string | undefined, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isSameProcess(pid, started)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}
