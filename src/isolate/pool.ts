/**
 * The API-process side of the executor: a small pool of executor child processes. Each execution goes
 * to the least busy process (queued when all are at their concurrency); its platform.request() calls come
 * back over IPC and are answered by the execution's dispatcher. When a process dies (a V8 abort), its
 * executions end `failed` with code `executor_lost` and a new process takes its place.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import type {
  BridgedRequest,
  BridgedResponse,
  Determinism,
  ExecutionLimits,
  ExecutionOutcome,
  FromExecutor,
  ToExecutor,
} from './types.ts';

export type Dispatcher = (request: BridgedRequest) => Promise<BridgedResponse>;

export type Job = {
  code: string;
  inputs: unknown;
  limits: ExecutionLimits;
  determinism?: Determinism;
  /** Answers platform.request(); absent = the guest has no platform.request(). */
  dispatch?: Dispatcher;
  /** How `code` is called (see ToExecutor); `function` by default. */
  program?: 'function' | 'module';
  /** Load the module and check its default export without calling it. */
  checkOnly?: boolean;
};

export type PoolOptions = {
  processes: number;
  warmIsolates: number;
  concurrencyPerProcess: number;
  /** Limits whose isolates are kept warm (the default snippet limits). */
  warmLimits: ExecutionLimits;
  log: Logger;
};

export type ExecutorPool = {
  execute(job: Job): Promise<ExecutionOutcome>;
  /** Executions running or queued. */
  load(): { running: number; queued: number };
  /** Kills an executor process, a busy one if any (tests of crash handling); resolves when it is gone. */
  killOne(): Promise<void>;
  close(): Promise<void>;
};

type Execution = { job: Job; resolve(outcome: ExecutionOutcome): void };

type Member = {
  child: ChildProcess;
  running: Map<number, Execution>;
};

const ENTRY = new URL('./executor-process.ts', import.meta.url);

function lost(message: string): ExecutionOutcome {
  return {
    state: 'failed',
    output: null,
    returnedUndefined: false,
    error: { code: 'executor_lost', message },
    stats: { cpu_time_ms: 0, wall_time_ms: 0, heap_used_bytes: 0 },
    logs: [],
    logsDropped: 0,
  };
}

export function createExecutorPool(options: PoolOptions): ExecutorPool {
  const members: Member[] = [];
  const queue: Execution[] = [];
  let nextId = 1;
  let turn = 0;
  let closing = false;
  let recentDeaths: number[] = [];

  function spawnMember(): Member {
    const child = fork(ENTRY, [String(options.warmIsolates)], {
      execArgv: [],
      env: {},
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const member: Member = { child, running: new Map() };
    child.on('message', (message: FromExecutor) => onMessage(member, message));
    child.once('exit', (code, signal) => onExit(member, code, signal));
    child.on('error', (error) => options.log.error({ err: error }, 'executor process error'));
    send(member, { type: 'warm', limits: options.warmLimits });
    return member;
  }

  function send(member: Member, message: ToExecutor): void {
    if (member.child.connected) member.child.send(message);
  }

  function onMessage(member: Member, message: FromExecutor): void {
    switch (message.type) {
      case 'ready':
        break;
      case 'done': {
        const execution = member.running.get(message.id);
        member.running.delete(message.id);
        execution?.resolve(message.outcome);
        drain();
        break;
      }
      case 'request': {
        const execution = member.running.get(message.id);
        const dispatch = execution?.job.dispatch;
        if (!dispatch) {
          send(member, {
            type: 'response',
            id: message.id,
            requestId: message.requestId,
            ok: false,
            name: 'PlatformRequestError',
            message: 'platform.request: not available',
          });
          break;
        }
        dispatch(message.request).then(
          (value) =>
            send(member, { type: 'response', id: message.id, requestId: message.requestId, ok: true, value }),
          (error: Error) =>
            send(member, {
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

  function onExit(member: Member, code: number | null, signal: NodeJS.Signals | null): void {
    const index = members.indexOf(member);
    if (index >= 0) members.splice(index, 1);
    for (const execution of member.running.values()) {
      execution.resolve(
        lost(
          `the executor process running this code died (${signal ?? `exit code ${code}`}); the run did not finish`,
        ),
      );
    }
    member.running.clear();
    if (closing) return;
    options.log.warn({ code, signal }, 'executor process died; starting a new one');
    const now = Date.now();
    recentDeaths = [...recentDeaths.filter((t) => now - t < 10_000), now];
    // A process that dies at once again and again is not replaced in a tight loop.
    const delay = recentDeaths.length > 5 ? 1000 : 0;
    setTimeout(() => {
      if (!closing) {
        members.push(spawnMember());
        drain();
      }
    }, delay).unref();
  }

  /**
   * The least busy process; ties go round-robin, so consecutive executions alternate and each process
   * gets time to replace the isolate it just used before its next execution.
   */
  function pick(): Member | undefined {
    let best: Member | undefined;
    for (let i = 0; i < members.length; i++) {
      const m = members[(turn + i) % members.length]!;
      if (!m.child.connected || m.running.size >= options.concurrencyPerProcess) continue;
      if (!best || m.running.size < best.running.size) best = m;
    }
    if (best) turn = (members.indexOf(best) + 1) % members.length;
    return best;
  }

  function drain(): void {
    while (queue.length > 0) {
      const member = pick();
      if (!member) return;
      const execution = queue.shift()!;
      const id = nextId++;
      member.running.set(id, execution);
      const { job } = execution;
      send(member, {
        type: 'run',
        id,
        code: job.code,
        inputs: job.inputs,
        limits: job.limits,
        determinism: job.determinism,
        requests: job.dispatch !== undefined,
        program: job.program ?? 'function',
        checkOnly: job.checkOnly ?? false,
      });
    }
  }

  for (let i = 0; i < options.processes; i++) members.push(spawnMember());

  return {
    execute(job) {
      if (closing) return Promise.resolve(lost('the executor is shutting down'));
      return new Promise((resolve) => {
        queue.push({ job, resolve });
        drain();
      });
    },
    load() {
      return { running: members.reduce((n, m) => n + m.running.size, 0), queued: queue.length };
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
      for (const execution of queue.splice(0)) execution.resolve(lost('the executor is shutting down'));
      await Promise.all(
        members.map(
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
