/**
 * The backstop of the isolate memory limit. V8 enforces an isolate's heap limit loosely: a single large
 * allocation (a flattened string, a big array) may grow past it by up to a gigabyte before the isolate
 * is stopped (isolated-vm lets the heap grow by 1 GiB near the limit rather than crash). This watch
 * reads each executor process's resident memory from /proc every few tens of milliseconds and kills a
 * process over the ceiling, so no guest can take the machine's memory; the pool then re-runs that
 * process's other executions one by one (pool.ts), which finds the one that grew.
 */
import fs from 'node:fs';

export type MemoryWatch = { stop(): void };

/** Resident set size of a process in bytes, or undefined when it cannot be read (gone, or no /proc). */
export function residentBytes(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'latin1');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

export function watchMemory(options: {
  intervalMs: number;
  limitBytes: number;
  /** The processes to watch, read at every tick. */
  pids(): number[];
  /** Called once per tick for each process over the limit. */
  over(pid: number, rssBytes: number): void;
}): MemoryWatch {
  if (!fs.existsSync('/proc/self/status')) return { stop() {} };
  const timer = setInterval(() => {
    for (const pid of options.pids()) {
      const rss = residentBytes(pid);
      if (rss !== undefined && rss > options.limitBytes) options.over(pid, rss);
    }
  }, options.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
