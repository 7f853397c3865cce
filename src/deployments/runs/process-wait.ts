/**
 * Waits for a sandboxed process under the run's wall-clock deadline and the job's abort signal; on
 * either it kills the whole tree and says why.
 */
import type { ExecResult, SandboxProcess } from '../../sandbox/driver.ts';

export type Ending =
  { kind: 'exited'; result: ExecResult } | { kind: 'timeout' } | { kind: 'aborted'; reason: unknown };

export async function waitFor(proc: SandboxProcess, deadline: number, signal: AbortSignal): Promise<Ending> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<Ending>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), Math.max(deadline - Date.now(), 0));
    onAbort = () => resolve({ kind: 'aborted', reason: signal.reason });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const ending = await Promise.race([
      proc.exited.then((result) => ({ kind: 'exited' as const, result })),
      stop,
    ]);
    if (ending.kind !== 'exited') await proc.kill();
    return ending;
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/** Why a process that ended on its own did not succeed, or undefined for exit 0. */
export function describeExit(what: string, result: ExecResult, limits: { memoryMb: number; diskMb: number }) {
  if (result.limit === 'memory')
    return `${what} exceeded the memory limit (resources.memory_mb = ${limits.memoryMb})`;
  if (result.limit === 'disk')
    return `${what} exceeded the disk limit (resources.disk_mb = ${limits.diskMb})`;
  if (result.exitCode === 0) return undefined;
  if (result.exitCode !== null) return `${what} exited with code ${result.exitCode}`;
  return `${what} was killed by ${result.signal ?? 'a signal'}`;
}
