/**
 * The disk limit across files: RLIMIT_FSIZE caps each file, and while a command runs this watcher
 * samples what the sandbox's writable directories hold (like `du`: allocated blocks, at least 4 KiB per
 * entry so that millions of empty files count too) and reports when the total passes the limit. A walk
 * stops as soon as the limit is passed, which also bounds it to limit / 4 KiB entries. It never follows
 * symlinks. Sampling backs off when walks get slow, so a large tree costs a bounded share of the loop.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

const MIN_ENTRY_BYTES = 4096;
const LSTAT_BATCH = 64;

/** Bytes used under `dirs`, or a number above `stopAbove` as soon as the walk passes it. */
export async function diskUsage(dirs: string[], stopAbove: number): Promise<number> {
  let total = 0;
  const pending = [...dirs];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    let names: string[];
    try {
      names = await fs.readdir(dir);
    } catch {
      continue; // Removed meanwhile, or not a directory any more.
    }
    for (let i = 0; i < names.length; i += LSTAT_BATCH) {
      const batch = names.slice(i, i + LSTAT_BATCH).map((name) => path.join(dir, name));
      const stats = await Promise.all(batch.map((file) => fs.lstat(file).catch(() => undefined)));
      stats.forEach((stat, j) => {
        if (!stat) return;
        total += Math.max(stat.blocks * 512, MIN_ENTRY_BYTES);
        if (stat.isDirectory()) pending.push(batch[j]!);
      });
      if (total > stopAbove) return total;
    }
  }
  return total;
}

export type DiskWatch = { stop(): void };

export function watchDisk(options: {
  dirs: string[];
  limitBytes: number;
  onExceeded(usage: number): void;
  intervalMs?: number;
}): DiskWatch {
  const interval = options.intervalMs ?? 250;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(sample, delay);
    timer.unref();
  };
  const sample = async () => {
    const started = performance.now();
    const usage = await diskUsage(options.dirs, options.limitBytes);
    if (stopped) return;
    if (usage > options.limitBytes) {
      stopped = true;
      options.onExceeded(usage);
      return;
    }
    schedule(Math.max(interval, 4 * (performance.now() - started)));
  };
  schedule(interval);
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
