/**
 * The API-process side of the executor: a small pool of executor child processes.
 *
 * - Placement: an execution goes to the least busy process. When every process is at its concurrency,
 *   or the execution's tenant (workspace) already has its share running, it waits in a fair queue (one
 *   FIFO per tenant, served in turn), so one workspace's flood never starves another's runs. A nested
 *   execution (started by a running snippet through platform.request) never waits: its parent holds a
 *   slot while it waits for it, so queueing it could deadlock; nested executions are bounded where they
 *   are admitted instead (src/snippets/nesting.ts).
 * - platform.request() calls come back over IPC and are answered by the execution's dispatcher.
 * - A process that dies (a V8 abort, the memory ceiling of memory-watch.ts) is replaced, and its
 *   executions do not all fail with it: each one that has made no request but GET/HEAD/OPTIONS (so
 *   running it again changes nothing) runs again, alone, in a process of its own, with what is left of
 *   its wall-clock time. The one that kills its solo process too is the culprit: it ends failed
 *   (`memory_limit_exceeded` when the memory ceiling killed it, else `executor_lost`). An execution
 *   that made other requests cannot be repeated safely and ends `executor_lost`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { createFairQueue } from './fair-queue.ts';
import { residentBytes, watchMemory } from './memory-watch.ts';
import type {
  BridgedRequest,
  BridgedResponse,
  Determinism,
  ExecutionError,
  ExecutionLimits,
  ExecutionOutcome,
  FromExecutor,
  ToExecutor,
  WireOutcome,
} from './types.ts';

export type Dispatcher = (request: BridgedRequest) => Promise<BridgedResponse>;

export type Job = {
  code: string;
  /** The inputs as JSON text. */
  inputsJson: string;
  limits: ExecutionLimits;
  determinism?: Determinism;
  /** Answers platform.request(); absent = the guest has no platform.request(). */
  dispatch?: Dispatcher;
  /** How `code` is called (see ToExecutor); `function` by default. */
  program?: 'function' | 'module';
  /** Load the module and check its default export without calling it. */
  checkOnly?: boolean;
  /** Whom the execution is for (a workspace id): the unit of fair sharing. */
  tenant: string;
  /** Started by a running execution (platform.request): placed at once, never queued. */
  nested?: boolean;
};

export type PoolOptions = {
  processes: number;
  warmIsolates: number;
  concurrencyPerProcess: number;
  /** Executions of one tenant running at once, nested ones included; more of its executions wait. */
  tenantConcurrency: number;
  /** Resident memory ceiling of one executor process, in bytes. */
  maxRssBytes: number;
  /** Limits whose isolates are kept warm (the default snippet limits). */
  warmLimits: ExecutionLimits;
  log: Logger;
};

export type ExecutorPool = {
  execute(job: Job): Promise<ExecutionOutcome>;
  /** Executions running or queued. */
  load(): { running: number; queued: number };
  /** Executions of one tenant (workspace) running now, nested ones included (its share is tenantConcurrency). */
  running(tenant: string): number;
  /** Resident memory of each executor process (tests, metrics). */
  memory(): Array<{ pid: number; rssBytes: number | undefined }>;
  /** Kills an executor process, a busy one if any (tests of crash handling); resolves when it is gone. */
  killOne(): Promise<void>;
  close(): Promise<void>;
};

type Execution = {
  job: Job;
  resolve(outcome: ExecutionOutcome): void;
  /** When it was first sent to a process (ms): its wall-clock time counts from there. */
  startedAt: number | undefined;
  /** It made a platform.request() that may have changed something: it must never run twice. */
  wrote: boolean;
};

type Member = {
  child: ChildProcess;
  running: Map<number, Execution>;
  /** Runs one replayed execution, then goes. */
  solo: boolean;
  /** Killed by the memory ceiling. */
  overMemory: boolean;
};

const ENTRY = new URL('./executor-process.ts', import.meta.url);
/** Solo processes replaying executions at once (each is a fresh Node process). */
const MAX_SOLOS = 2;
const MEMORY_WATCH_MS = 25;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The outcome of an execution that failed before or outside the guest's code. */
export function failedOutcome(error: ExecutionError): ExecutionOutcome {
  return {
    state: 'failed',
    output: null,
    returnedUndefined: false,
    error,
    stats: { cpu_time_ms: 0, wall_time_ms: 0, heap_used_bytes: 0 },
    logs: [],
    logsDropped: 0,
  };
}

function lost(message: string): ExecutionOutcome {
  return failedOutcome({ code: 'executor_lost', message });
}

/** An outcome off the wire: the result's JSON text parsed here (JSON.parse does not recurse). */
function fromWire(wire: WireOutcome): ExecutionOutcome {
  const { outputJson, ...rest } = wire;
  if (outputJson === null) return { ...rest, output: null };
  try {
    return { ...rest, output: JSON.parse(outputJson) as unknown };
  } catch (error) {
    return {
      ...failedOutcome({ code: 'invalid_result', message: (error as Error).message }),
      stats: rest.stats,
    };
  }
}

export function createExecutorPool(options: PoolOptions): ExecutorPool {
  const members: Member[] = [];
  const solos = new Set<Member>();
  const queue = createFairQueue<Execution>();
  /** Nested executions that found no live process (one was being replaced): placed first. */
  const nestedWaiting: Execution[] = [];
  const replays: Execution[] = [];
  const tenantRunning = new Map<string, number>();
  let nextId = 1;
  let turn = 0;
  let closing = false;
  let recentDeaths: number[] = [];

  const memoryWatch = watchMemory({
    intervalMs: MEMORY_WATCH_MS,
    limitBytes: options.maxRssBytes,
    pids: () => [...members, ...solos].flatMap((m) => (m.child.pid === undefined ? [] : [m.child.pid])),
    over(pid, rss) {
      const member = [...members, ...solos].find((m) => m.child.pid === pid);
      if (!member || member.overMemory) return;
      member.overMemory = true;
      options.log.warn(
        { pid, rss_mb: Math.round(rss / 2 ** 20), limit_mb: Math.round(options.maxRssBytes / 2 ** 20) },
        'executor process over its memory ceiling; killing it',
      );
      member.child.kill('SIGKILL');
    },
  });

  function spawnMember(solo: boolean): Member {
    const child = fork(ENTRY, [String(solo ? 0 : options.warmIsolates)], {
      execArgv: [],
      env: {},
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const member: Member = { child, running: new Map(), solo, overMemory: false };
    child.on('message', (message: FromExecutor) => onMessage(member, message));
    child.once('exit', (code, signal) => onExit(member, code, signal));
    child.on('error', (error) => options.log.warn({ err: error }, 'executor process channel error'));
    if (!solo) send(member, { type: 'warm', limits: options.warmLimits });
    return member;
  }

  /** Sends to a process; false when it could not be sent (the process is going away). */
  function send(member: Member, message: ToExecutor, onError?: () => void): boolean {
    if (!member.child.connected) return false;
    try {
      member.child.send(message, (error) => {
        if (error) onError?.();
      });
      return true;
    } catch (error) {
      options.log.warn({ err: error }, 'could not send to an executor process');
      return false;
    }
  }

  function adjustTenant(tenant: string, delta: number): void {
    const n = (tenantRunning.get(tenant) ?? 0) + delta;
    if (n > 0) tenantRunning.set(tenant, n);
    else tenantRunning.delete(tenant);
  }

  /** Takes an execution off its process, no longer counting against its tenant. */
  function leave(member: Member, id: number): Execution | undefined {
    const execution = member.running.get(id);
    if (!execution) return undefined;
    member.running.delete(id);
    adjustTenant(execution.job.tenant, -1);
    return execution;
  }

  function place(member: Member, execution: Execution, wallMs = execution.job.limits.wallMs): void {
    const id = nextId++;
    member.running.set(id, execution);
    adjustTenant(execution.job.tenant, 1);
    execution.startedAt ??= Date.now();
    const { job } = execution;
    const notSent = () => {
      const gone = leave(member, id);
      gone?.resolve(lost('the executor process could not be given the code; the run did not start'));
      if (member.solo) retire(member);
    };
    const sent = send(
      member,
      {
        type: 'run',
        id,
        code: job.code,
        inputsJson: job.inputsJson,
        limits: { ...job.limits, wallMs },
        determinism: job.determinism,
        requests: job.dispatch !== undefined,
        program: job.program ?? 'function',
        checkOnly: job.checkOnly ?? false,
      },
      notSent,
    );
    if (!sent) notSent();
  }

  function onMessage(member: Member, message: FromExecutor): void {
    switch (message.type) {
      case 'ready':
        break;
      case 'done': {
        const execution = leave(member, message.id);
        execution?.resolve(fromWire(message.outcome));
        if (member.solo) retire(member);
        drain();
        break;
      }
      case 'request': {
        const execution = member.running.get(message.id);
        const answer = (response: Extract<ToExecutor, { type: 'response' }>) => send(member, response);
        const dispatch = execution?.job.dispatch;
        if (!execution || !dispatch) {
          answer({
            type: 'response',
            id: message.id,
            requestId: message.requestId,
            ok: false,
            name: 'PlatformRequestError',
            message: 'platform.request: not available',
          });
          break;
        }
        if (!SAFE_METHODS.has(message.request.method)) execution.wrote = true;
        dispatch(message.request).then(
          (value) =>
            answer({ type: 'response', id: message.id, requestId: message.requestId, ok: true, value }),
          (error: Error) =>
            answer({
              type: 'response',
              id: message.id,
              requestId: message.requestId,
              ok: false,
              name: error.name === 'PlatformRequestLimitError' ? error.name : 'PlatformRequestError',
              message: error.message,
            }),
        );
        break;
      }
      default: {
        const never: never = message;
        options.log.error({ message: never }, 'unknown message from executor');
      }
    }
  }

  /** A solo process has done its one execution: let it go. */
  function retire(member: Member): void {
    if (member.child.connected) member.child.disconnect();
  }

  function onExit(member: Member, code: number | null, signal: NodeJS.Signals | null): void {
    const how = member.overMemory
      ? `over its memory ceiling of ${Math.round(options.maxRssBytes / 2 ** 20)} MB`
      : (signal ?? `exit code ${code}`);
    for (const id of [...member.running.keys()]) {
      const execution = leave(member, id)!;
      if (closing) execution.resolve(lost('the executor is shutting down'));
      else if (member.solo) execution.resolve(culprit(member, execution, how));
      else if (!execution.wrote) {
        replays.push(execution);
      } else {
        execution.resolve(
          lost(
            `the executor process running this code died (${how}); the run had made requests that may have changed data, so it was not run again`,
          ),
        );
      }
    }
    if (member.solo) {
      solos.delete(member);
      drain();
      return;
    }
    const index = members.indexOf(member);
    if (index >= 0) members.splice(index, 1);
    if (closing) return;
    options.log.warn(
      { code, signal, over_memory: member.overMemory },
      'executor process died; starting a new one',
    );
    const now = Date.now();
    recentDeaths = [...recentDeaths.filter((t) => now - t < 10_000), now];
    // A process that dies at once again and again is not replaced in a tight loop.
    const delay = recentDeaths.length > 5 ? 1000 : 0;
    setTimeout(() => {
      if (!closing) {
        members.push(spawnMember(false));
        drain();
      }
    }, delay).unref();
    drain();
  }

  /** The outcome of an execution that killed the process it ran in alone. */
  function culprit(member: Member, execution: Execution, how: string): ExecutionOutcome {
    if (member.overMemory) {
      return failedOutcome({
        code: 'memory_limit_exceeded',
        message: `the run's memory grew past the executor's ceiling of ${Math.round(options.maxRssBytes / 2 ** 20)} MB (its heap limit is ${execution.job.limits.memoryMb} MB)`,
      });
    }
    return lost(`the code crashed the executor process running it (${how}); the run did not finish`);
  }

  /**
   * The process for an execution of `tenant`: the one running the fewest executions of other tenants,
   * then the least busy (ties round-robin), ignoring concurrency when `any`. So when workspaces compete,
   * each keeps to its own processes where it can, and one's churn (isolates made and disposed by the
   * hundred) does not sit in front of another's runs in the same process's event loop.
   */
  function pick(tenant: string, any: boolean): Member | undefined {
    let best: Member | undefined;
    let bestOthers = 0;
    for (let i = 0; i < members.length; i++) {
      const m = members[(turn + i) % members.length]!;
      if (!m.child.connected || (!any && m.running.size >= options.concurrencyPerProcess)) continue;
      let others = 0;
      for (const execution of m.running.values()) if (execution.job.tenant !== tenant) others++;
      if (!best || others < bestOthers || (others === bestOthers && m.running.size < best.running.size)) {
        best = m;
        bestOthers = others;
      }
    }
    if (best) turn = (members.indexOf(best) + 1) % members.length;
    return best;
  }

  const hasRoom = () =>
    members.some((m) => m.child.connected && m.running.size < options.concurrencyPerProcess);

  function drain(): void {
    while (nestedWaiting.length > 0) {
      const member = pick(nestedWaiting[0]!.job.tenant, true);
      if (!member) break;
      place(member, nestedWaiting.shift()!);
    }
    while (replays.length > 0 && solos.size < MAX_SOLOS && !closing) {
      const execution = replays.shift()!;
      const left = execution.job.limits.wallMs - (Date.now() - (execution.startedAt ?? Date.now()));
      if (left <= 0) {
        execution.resolve(
          failedOutcome({
            code: 'executor_lost',
            message:
              'the executor process running this code died and no wall-clock time was left to run it again',
          }),
        );
        continue;
      }
      const solo = spawnMember(true);
      solos.add(solo);
      place(solo, execution, left);
    }
    while (queue.size() > 0 && hasRoom()) {
      const execution = queue.take((tenant) => (tenantRunning.get(tenant) ?? 0) < options.tenantConcurrency);
      if (!execution) return;
      place(pick(execution.job.tenant, false)!, execution);
    }
  }

  for (let i = 0; i < options.processes; i++) members.push(spawnMember(false));

  return {
    execute(job) {
      if (closing) return Promise.resolve(lost('the executor is shutting down'));
      return new Promise((resolve) => {
        const execution: Execution = { job, resolve, startedAt: undefined, wrote: false };
        if (job.nested) nestedWaiting.push(execution);
        else queue.push(job.tenant, execution);
        drain();
      });
    },
    load() {
      const running = members.reduce((n, m) => n + m.running.size, 0) + solos.size;
      return { running, queued: queue.size() + nestedWaiting.length + replays.length };
    },
    running: (tenant) => tenantRunning.get(tenant) ?? 0,
    memory() {
      return [...members, ...solos].flatMap((m) =>
        m.child.pid === undefined ? [] : [{ pid: m.child.pid, rssBytes: residentBytes(m.child.pid) }],
      );
    },
    async killOne() {
      const member = members.find((m) => m.running.size > 0) ?? members[0];
      if (!member) return;
      const gone = new Promise((r) => member.child.once('exit', r));
      member.child.kill('SIGKILL');
      await gone;
    },
    async close() {
      closing = true;
      memoryWatch.stop();
      for (const execution of [...queue.drain(), ...nestedWaiting.splice(0), ...replays.splice(0)])
        execution.resolve(lost('the executor is shutting down'));
      await Promise.all(
        [...members, ...solos].map(
          (m) =>
            new Promise<void>((resolve) => {
              if (m.child.exitCode !== null || m.child.signalCode !== null) return resolve();
              m.child.once('exit', () => resolve());
              m.child.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
