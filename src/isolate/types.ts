/**
 * Types shared by the isolate executor's two sides: the API process (pool, bridge) and the executor
 * child processes that host the V8 isolates. Messages between them go over the child's IPC channel.
 */

/**
 * Deepest nesting of JSON an execution takes or gives (a top-level object or array is 1): results
 * deeper fail with invalid_result. The same limit as request bodies at the HTTP edge.
 */
export { MAX_JSON_DEPTH } from '../http/json-guard.ts';

/** Resource limits of one execution. */
export type ExecutionLimits = {
  memoryMb: number;
  cpuMs: number;
  wallMs: number;
  resultBytes: number;
  logEntries: number;
  logEntryBytes: number;
  /** Console bytes kept per execution, all entries together. */
  logBytes: number;
  requests: RequestLimits;
};

/** Limits of platform.request() within one execution. */
export type RequestLimits = {
  maxRequests: number;
  maxConcurrent: number;
  maxBodyBytes: number;
  maxResponseBytes: number;
};

/** Makes execution reproducible (render programs): a fixed clock and a seeded Math.random. */
export type Determinism = { nowMs: number; seed: number };

/** Stable error codes of an execution; docs/snippets.md explains each. */
export type ExecutionErrorCode =
  | 'syntax_error'
  | 'unsupported_import'
  | 'not_a_function'
  | 'uncaught_exception'
  | 'wall_time_limit_exceeded'
  | 'cpu_time_limit_exceeded'
  | 'memory_limit_exceeded'
  | 'result_too_large'
  | 'result_not_serializable'
  | 'invalid_result'
  | 'request_limit_exceeded'
  | 'request_rejected'
  | 'executor_lost';

export type ExecutionState = 'succeeded' | 'failed' | 'timed_out';

export type ExecutionError = { code: ExecutionErrorCode; message: string; details?: unknown };

export type LogEntry = { timestamp: number; level: 'debug' | 'info' | 'warn' | 'error'; message: string };

export type ExecutionStats = { cpu_time_ms: number; wall_time_ms: number; heap_used_bytes: number };

/** What an execution produced. `output` is the JSON-decoded result (null when it returned nothing). */
export type ExecutionOutcome = {
  state: ExecutionState;
  output: unknown;
  /** True when the function returned undefined (as opposed to null). */
  returnedUndefined: boolean;
  error: ExecutionError | null;
  stats: ExecutionStats;
  logs: LogEntry[];
  /** How many console entries were dropped past the log limit. */
  logsDropped: number;
};

/** A platform.request() call after validation, ready to dispatch in-process. */
export type BridgedRequest = {
  method: string;
  /** Path and query, e.g. /v1/snippets?limit=5 */
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
};

/**
 * What the guest receives from platform.request(): the body crosses to the isolate as text (parsed there
 * when `json`), so no structure a guest could shape is ever serialised recursively on the host.
 */
export type BridgedResponse = {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: boolean;
};

/**
 * An outcome as it crosses from the executor process: the result stays JSON text, made and bounded
 * (size, depth) inside the isolate; the API process parses it (JSON.parse is not recursive).
 */
export type WireOutcome = Omit<ExecutionOutcome, 'output'> & { outputJson: string | null };

/** API process → executor process. */
export type ToExecutor =
  | {
      type: 'run';
      id: number;
      code: string;
      /** The inputs as JSON text, parsed inside the isolate. */
      inputsJson: string;
      limits: ExecutionLimits;
      determinism: Determinism | undefined;
      /** Whether platform.request() is available (render programs have none). */
      requests: boolean;
      /**
       * `function`: `code` is a function expression (or body) called with `inputs`. `module`: `code` is an
       * ES module without imports whose default export is called with the arguments array `inputs`.
       */
      program: 'function' | 'module';
      /** Only load the module and check its default export (a publish-time compile check). */
      checkOnly: boolean;
    }
  | { type: 'response'; id: number; requestId: number; ok: true; value: BridgedResponse }
  | { type: 'response'; id: number; requestId: number; ok: false; name: string; message: string }
  /** Keep isolates for these limits (with platform.request, no determinism) created ahead. */
  | { type: 'warm'; limits: ExecutionLimits };

/** Executor process → API process. */
export type FromExecutor =
  | { type: 'ready' }
  | { type: 'request'; id: number; requestId: number; request: BridgedRequest }
  | { type: 'done'; id: number; outcome: WireOutcome };
