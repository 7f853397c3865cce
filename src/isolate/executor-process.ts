/**
 * An executor process: hosts V8 isolates (isolated-vm) and runs one guest function per fresh isolate.
 * It is a child of the API process so that a V8 abort (out of memory outside the isolate's accounting,
 * a catastrophic error) kills this process, not the API; the pool replaces it. It keeps a few
 * isolates created ahead (context and runtime installed) so that creation is off the request path,
 * and enforces the limits: memory (isolate heap limit), CPU time (polled), wall clock (a timer that
 * fires even while the guest awaits a host promise), result size, console size, platform.request rules.
 * It runs with an empty environment and talks only over its IPC channel.
 */
import ivm from 'isolated-vm';
import { guestFailure } from './guest-failure.ts';
import { RUNTIME_SOURCE, type RunnerReply, type RuntimeConfig } from './guest-runtime.ts';
import { compileEntry, loadModuleEntry } from './programs.ts';
import { admitRequest, PolicyError, type RequestCounters } from './request-policy.ts';
import {
  MAX_JSON_DEPTH,
  type BridgedResponse,
  type Determinism,
  type ExecutionError,
  type ExecutionLimits,
  type ExecutionState,
  type FromExecutor,
  type LogEntry,
  type ToExecutor,
  type WireOutcome,
} from './types.ts';

type RunState = {
  id: number;
  limits: ExecutionLimits;
  logs: LogEntry[];
  logsDropped: number;
  counters: RequestCounters;
  pending: Map<number, { resolve(value: BridgedResponse): void; reject(error: Error): void }>;
};

/** An isolate with a context and the runtime installed, waiting for one run. */
type Slot = {
  profile: string;
  isolate: ivm.Isolate;
  context: ivm.Context;
  runner: ivm.Reference<(inputsJson: string) => Promise<RunnerReply>>;
  run: RunState | undefined;
};

const WARM_TARGET = Number(process.argv[2] ?? 2);
/** Isolates are kept warm for one profile (memory limit + runtime config): the default snippet one. */
const runs = new Map<number, RunState>();
const warm: Slot[] = [];
let warmProfile: { memoryMb: number; config: RuntimeConfig } | undefined;
let refilling = false;
let nextRequestId = 1;

/**
 * Sends a message to the API process. A message that cannot be sent (the channel is gone, or it cannot
 * be serialised) must not take this process down with everyone's runs: it is reported and dropped, and
 * `onError` may send a replacement.
 */
function send(message: FromExecutor, onError?: (error: Error) => void): void {
  if (!process.connected) return;
  const failed = (error: Error) => {
    console.error(`atoll executor: could not send a ${message.type} message: ${error.message}`);
    onError?.(error);
  };
  try {
    process.send?.(message, undefined, {}, (error) => error && failed(error));
  } catch (error) {
    failed(error as Error);
  }
}

function profileKey(memoryMb: number, config: RuntimeConfig): string {
  return JSON.stringify([memoryMb, config]);
}

function runtimeConfig(
  limits: ExecutionLimits,
  requests: boolean,
  determinism: Determinism | undefined,
): RuntimeConfig {
  return {
    requests,
    maxRequests: limits.requests.maxRequests,
    maxConcurrent: limits.requests.maxConcurrent,
    resultBytes: limits.resultBytes,
    resultChars: limits.resultBytes,
    maxDepth: MAX_JSON_DEPTH,
    logEntries: limits.logEntries,
    logEntryBytes: limits.logEntryBytes,
    logBytes: limits.logBytes,
    determinism,
  };
}

/**
 * A new isolate with its context and runtime. Synchronous on purpose: the asynchronous isolated-vm calls
 * each cost a hop to the isolate's thread and back (~0.1 ms), and nothing here runs guest code.
 */
function createSlot(memoryMb: number, config: RuntimeConfig): Slot {
  const isolate = new ivm.Isolate({
    memoryLimit: memoryMb,
    onCatastrophicError: (message) => {
      console.error(`atoll executor: catastrophic isolate error: ${message}`);
      process.abort();
    },
  });
  try {
    const context = isolate.createContextSync();
    const slot = {
      profile: profileKey(memoryMb, config),
      isolate,
      context,
      run: undefined,
    } as unknown as Slot;
    const hostRequest = new ivm.Reference(async (payload: unknown) => forwardRequest(slot, payload));
    const hostLog = new ivm.Callback((level: unknown, message: unknown) => recordLog(slot, level, message), {
      ignored: true,
    });
    slot.runner = context.evalClosureSync(RUNTIME_SOURCE, [hostRequest, hostLog, JSON.stringify(config)], {
      result: { reference: true },
    });
    return slot;
  } catch (error) {
    if (!isolate.isDisposed) isolate.dispose();
    throw error;
  }
}

/** Keeps WARM_TARGET isolates of the most recent default profile ready, one creation at a time. */
function refill(): void {
  if (refilling || !warmProfile || warm.length >= WARM_TARGET) return;
  refilling = true;
  // One isolate per turn of the event loop, so runs and their requests are served in between.
  setImmediate(() => {
    refilling = false;
    if (!warmProfile || warm.length >= WARM_TARGET) return;
    try {
      warm.push(createSlot(warmProfile.memoryMb, warmProfile.config));
    } catch (error) {
      console.error('atoll executor: could not create a warm isolate:', error);
      return;
    }
    refill();
  });
}

/**
 * A console entry from the guest runtime, already bounded there; the limits are checked again here in
 * case the runtime was subverted. `dropped` reports how many entries the runtime has dropped so far.
 */
function recordLog(slot: Slot, level: unknown, message: unknown): void {
  const run = slot.run;
  if (!run) return;
  if (level === 'dropped') {
    if (typeof message === 'number') run.logsDropped = Math.max(run.logsDropped, message);
    return;
  }
  if (typeof message !== 'string' || run.logs.length >= run.limits.logEntries) {
    run.logsDropped++;
    return;
  }
  const lvl = level === 'debug' || level === 'warn' || level === 'error' ? level : 'info';
  run.logs.push({ timestamp: Date.now(), level: lvl, message: message.slice(0, run.limits.logEntryBytes) });
}

async function forwardRequest(slot: Slot, payload: unknown): Promise<string> {
  const run = slot.run;
  if (!run || typeof payload !== 'string') {
    return JSON.stringify({
      ok: false,
      name: 'PlatformRequestError',
      message: 'platform.request: not available now',
    });
  }
  let request;
  try {
    request = admitRequest(payload, run.limits.requests, run.counters);
  } catch (error) {
    const e =
      error instanceof PolicyError ? error : new PolicyError('invalid', 'the request could not be read');
    return JSON.stringify({ ok: false, name: e.name, message: e.message });
  }
  run.counters.started++;
  run.counters.inFlight++;
  try {
    const requestId = nextRequestId++;
    const value = await new Promise<BridgedResponse>((resolve, reject) => {
      run.pending.set(requestId, { resolve, reject });
      send({ type: 'request', id: run.id, requestId, request });
    });
    return JSON.stringify({ ok: true, value });
  } catch (error) {
    const e = error as Error;
    return JSON.stringify({ ok: false, name: e.name || 'PlatformRequestError', message: e.message });
  } finally {
    run.counters.inFlight--;
  }
}

function outcome(
  state: ExecutionState,
  error: ExecutionError | null,
  run: RunState,
  stats: WireOutcome['stats'],
  outputJson: string | null = null,
  returnedUndefined = false,
): WireOutcome {
  return { state, outputJson, returnedUndefined, error, stats, logs: run.logs, logsDropped: run.logsDropped };
}

function memoryExceeded(limits: ExecutionLimits): ExecutionError {
  return {
    code: 'memory_limit_exceeded',
    message: `the run exceeded its memory limit of ${limits.memoryMb} MB`,
  };
}

async function execute(message: Extract<ToExecutor, { type: 'run' }>): Promise<WireOutcome> {
  const { limits } = message;
  const config = runtimeConfig(limits, message.requests, message.determinism);
  const key = profileKey(limits.memoryMb, config);
  const index = warm.findIndex((s) => s.profile === key);
  const slot = index >= 0 ? warm.splice(index, 1)[0]! : createSlot(limits.memoryMb, config);

  const run: RunState = {
    id: message.id,
    limits,
    logs: [],
    logsDropped: 0,
    counters: { started: 0, inFlight: 0 },
    pending: new Map(),
  };
  runs.set(run.id, run);
  slot.run = run;
  const { isolate } = slot;
  const cpuStart = isolate.cpuTime;
  const started = process.hrtime.bigint();
  let limitHit: 'wall' | 'cpu' | undefined;
  // CPU time can no longer be read once the isolate is disposed: keep the last reading.
  let cpuUsed = 0n;
  const readCpu = () => {
    if (!isolate.isDisposed) cpuUsed = isolate.cpuTime - cpuStart;
    return cpuUsed;
  };
  const stop = (which: 'wall' | 'cpu') => {
    if (limitHit || isolate.isDisposed) return;
    readCpu();
    limitHit = which;
    isolate.dispose();
  };
  const wallTimer = setTimeout(() => stop('wall'), limits.wallMs);
  const cpuTimer = setInterval(
    () => {
      if (readCpu() > BigInt(limits.cpuMs) * 1_000_000n) stop('cpu');
    },
    Math.max(5, Math.min(50, Math.floor(limits.cpuMs / 10))),
  );
  const stats = () => {
    let heap = 0;
    try {
      if (!isolate.isDisposed) heap = isolate.getHeapStatisticsSync().used_heap_size;
    } catch {
      heap = 0;
    }
    return {
      cpu_time_ms: Number(readCpu()) / 1e6,
      wall_time_ms: Number(process.hrtime.bigint() - started) / 1e6,
      heap_used_bytes: heap,
    };
  };

  try {
    if (message.program === 'module') {
      const problem = await loadModuleEntry(isolate, slot.context, message.code, limits.cpuMs);
      if (problem) return outcome('failed', problem, run, stats());
      if (message.checkOnly) return outcome('succeeded', null, run, stats(), null, true);
    } else {
      const script = compileEntry(isolate, message.code);
      if (!(script instanceof ivm.Script)) return outcome('failed', script, run, stats());
      await script.run(slot.context, { timeout: limits.cpuMs });
    }
    const reply = await slot.runner.apply(undefined, [message.inputsJson], {
      arguments: { copy: true },
      result: { promise: true, copy: true },
    });
    const finalStats = stats();
    if (!Array.isArray(reply) || typeof reply[2] !== 'string') {
      return outcome(
        'failed',
        { code: 'uncaught_exception', message: 'the run gave no result' },
        run,
        finalStats,
      );
    }
    const [kind, dropped, text] = reply;
    if (typeof dropped === 'number') run.logsDropped = Math.max(run.logsDropped, dropped);
    // V8 lets one large allocation (a flattened string) overshoot the heap limit, and stops the isolate
    // only at a later garbage collection; a run that ends first is judged by its heap here.
    if (finalStats.heap_used_bytes > limits.memoryMb * 2 ** 20) {
      return outcome('failed', memoryExceeded(limits), run, finalStats);
    }
    if (kind === 'error') return outcome('failed', guestFailure(text), run, finalStats);
    if (kind === 'undefined') return outcome('succeeded', null, run, finalStats, null, true);
    if (Buffer.byteLength(text) > limits.resultBytes) {
      return outcome(
        'failed',
        {
          code: 'result_too_large',
          message: `the result is larger than ${limits.resultBytes} bytes of JSON`,
        },
        run,
        finalStats,
      );
    }
    return outcome('succeeded', null, run, finalStats, text);
  } catch (error) {
    const finalStats = stats();
    const text = (error as Error)?.message ?? String(error);
    if (limitHit === 'wall') {
      return outcome(
        'timed_out',
        {
          code: 'wall_time_limit_exceeded',
          message: `the run exceeded its wall-clock limit of ${limits.wallMs} ms`,
        },
        run,
        finalStats,
      );
    }
    if (limitHit === 'cpu' || /execution timed out/i.test(text)) {
      return outcome(
        'timed_out',
        {
          code: 'cpu_time_limit_exceeded',
          message: `the run exceeded its CPU time limit of ${limits.cpuMs} ms`,
        },
        run,
        finalStats,
      );
    }
    if (/memory limit/i.test(text) || isolate.isDisposed) {
      return outcome('failed', memoryExceeded(limits), run, finalStats);
    }
    return outcome(
      'failed',
      { code: 'uncaught_exception', message: text, details: { name: (error as Error)?.name ?? 'Error' } },
      run,
      finalStats,
    );
  } finally {
    clearTimeout(wallTimer);
    clearInterval(cpuTimer);
    slot.run = undefined;
    runs.delete(run.id);
    for (const pending of run.pending.values()) pending.reject(new Error('the run has ended'));
    if (!isolate.isDisposed) isolate.dispose();
  }
}

process.on('message', (message: ToExecutor) => {
  switch (message.type) {
    case 'run':
      execute(message)
        .catch((error): WireOutcome => ({
          state: 'failed',
          outputJson: null,
          returnedUndefined: false,
          error: {
            code: 'uncaught_exception',
            message: `the executor could not run the code: ${(error as Error).message}`,
          },
          stats: { cpu_time_ms: 0, wall_time_ms: 0, heap_used_bytes: 0 },
          logs: [],
          logsDropped: 0,
        }))
        .then((result) => {
          send({ type: 'done', id: message.id, outcome: result }, (error) =>
            // The outcome could not be sent as it was: send its verdict without the output and logs.
            send({
              type: 'done',
              id: message.id,
              outcome: {
                ...result,
                state: 'failed',
                outputJson: null,
                error: {
                  code: 'uncaught_exception',
                  message: `the outcome could not be sent: ${error.message}`,
                },
                logs: [],
              },
            }),
          );
          // Replace the isolate only once the reply is out: creating one blocks this thread ~1 ms.
          refill();
        });
      break;
    case 'warm':
      warmProfile = {
        memoryMb: message.limits.memoryMb,
        config: runtimeConfig(message.limits, true, undefined),
      };
      for (const stale of warm.splice(0)) stale.isolate.dispose();
      refill();
      break;
    case 'response': {
      const pending = runs.get(message.id)?.pending.get(message.requestId);
      if (!pending) break;
      runs.get(message.id)!.pending.delete(message.requestId);
      if (message.ok) pending.resolve(message.value);
      else pending.reject(Object.assign(new Error(message.message), { name: message.name }));
      break;
    }
    default: {
      const never: never = message;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
});

// The API process is our only reason to live.
process.on('disconnect', () => process.exit(0));
// Ctrl-C (SIGINT) signals the whole process group: requests still running during the server's graceful stop
// need this process, which goes when the server closes it or exits.
process.on('SIGINT', () => {});
send({ type: 'ready' });
