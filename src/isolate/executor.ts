/**
 * The executor other domains use: run a guest function in a fresh V8 isolate with the configured
 * limits, optionally with platform.request() acting as a caller, optionally deterministic (fixed clock,
 * seeded random; for render programs). See docs/snippets.md for the calling convention and error codes.
 */
import { AsyncResource } from 'node:async_hooks';
import type { Logger } from 'pino';
import type { ExecutorConfig } from '../config.ts';
import {
  platformDispatcher,
  type InProcessFetch,
  type PlatformIdentity,
  type Preflight,
} from './platform-bridge.ts';
import { createExecutorPool, failedOutcome, type ExecutorPool } from './pool.ts';
import type { Determinism, ExecutionLimits, ExecutionOutcome } from './types.ts';

export type RunRequest = {
  code: string;
  inputs: unknown;
  /** The workspace the execution runs for: executor slots are shared fairly between workspaces. */
  workspaceId: string;
  /**
   * Started by a running execution (a snippet's platform.request): placed at once instead of queued,
   * because its parent holds a slot while it waits; the caller bounds how many there are.
   */
  nested?: boolean;
  /** platform.request() acting as this identity; absent = no platform.request() in the guest. */
  platform?: PlatformIdentity;
  determinism?: Determinism;
  /** Overrides of the configured limits (e.g. tighter ones for render programs). */
  limits?: Partial<Omit<ExecutionLimits, 'requests'>>;
  /** `module`: `code` is an ES module whose default export is called with the arguments array `inputs`. */
  program?: 'function' | 'module';
  /** With `module`: load the module and check that it exports a default function, without calling it. */
  checkOnly?: boolean;
};

export type Executor = {
  run(request: RunRequest): Promise<ExecutionOutcome>;
  readonly limits: ExecutionLimits;
  readonly pool: ExecutorPool;
  close(): Promise<void>;
};

export function createExecutor(
  config: ExecutorConfig,
  deps: { log: Logger; fetch: InProcessFetch; preflight?: Preflight },
): Executor {
  const limits: ExecutionLimits = { ...config.limits, requests: { ...config.limits.requests } };
  const pool = createExecutorPool({
    processes: config.processes,
    warmIsolates: config.warmIsolates,
    concurrencyPerProcess: config.concurrencyPerProcess,
    tenantConcurrency: config.workspaceConcurrency,
    maxRssBytes: config.maxRssMb * 2 ** 20,
    warmLimits: limits,
    log: deps.log,
  });
  return {
    limits,
    pool,
    async run(request) {
      let inputsJson: string;
      try {
        // Inputs reach here checked (depth, size) at the HTTP edge; a failure is still an outcome.
        inputsJson = JSON.stringify(request.inputs ?? {});
      } catch (error) {
        return failedOutcome({
          code: 'uncaught_exception',
          message: `the inputs cannot be passed: ${(error as Error).message}`,
        });
      }
      return pool.execute({
        code: request.code,
        inputsJson,
        tenant: request.workspaceId,
        ...(request.nested ? { nested: true } : {}),
        limits: { ...limits, ...request.limits },
        ...(request.determinism ? { determinism: request.determinism } : {}),
        ...(request.program ? { program: request.program } : {}),
        ...(request.checkOnly ? { checkOnly: true } : {}),
        // The guest's requests run in the async context of the run's caller (they arrive over IPC):
        // they are part of its request, and their writes count as its writes (src/db/write-fence.ts).
        ...(request.platform
          ? {
              dispatch: platformDispatcher(
                AsyncResource.bind(deps.fetch),
                request.platform,
                limits.requests,
                deps.preflight,
              ),
            }
          : {}),
      });
    },
    close: () => pool.close(),
  };
}
