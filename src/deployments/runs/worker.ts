/**
 * The `agent.run` job handler: takes a queued run through starting (sandbox made, bundle materialised,
 * input written) → installing (config.install, if any) → running (config.entrypoint) → a terminal
 * state, under the version's wall-clock timeout and the job's cancel signal; captures logs; collects
 * outputs; keeps a failed sandbox for its retention or removes it at once. See docs/agent-deployments.md.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../../db/schema.ts';
import { newId } from '../../db/ids.ts';
import { JobCancelledError } from '../../jobs/errors.ts';
import { defineJob, type Job, type JobDefinition } from '../../jobs/registry.ts';
import type { JobContext } from '../../jobs/runner.ts';
import type { Sandbox, SandboxDriver } from '../../sandbox/driver.ts';
import type { BlobStore } from '../blobs.ts';
import type { AgentConfig } from '../config-schema.ts';
import type { LogBus } from '../logs/bus.ts';
import { runJob, type RunJobPayload } from '../jobs.ts';
import { createRedactor } from '../logs/redact.ts';
import { createLogSink, type LogSink } from '../logs/sink.ts';
import { collectOutputs } from '../outputs/collect.ts';
import {
  createSandbox,
  dropSealedEnvs,
  leaseLost,
  materializeVersion,
  memoryAndDisk,
  preflight,
  runInstall,
} from '../sandbox-start.ts';
import type { OutputManifest, TerminalRunStatus } from '../tables.ts';
import type { VersionRow } from '../versions/store.ts';
import { INPUT_FILE, runEnvironment } from './environment.ts';
import { describeExit, waitFor, type Ending } from './process-wait.ts';
import type { RunRow } from './resources.ts';
import { isTerminal } from './service.ts';
import {
  claimQueuedRun,
  findRunById,
  finishRun,
  getRun,
  insertRunOutputs,
  markRunInstalling,
  markRunRunning,
} from './store.ts';

export type RunHooks = {
  /**
   * Extra environment for the run's processes, once their sandbox exists (e.g. a turn-scoped token
   * and a socket in its run dir); never stored. The `secrets` among the values are redacted from logs.
   */
  env?(run: RunRow, sandbox: Sandbox): Promise<{ env: Record<string, string>; secrets: string[] }>;
  /** The run reached `running` / a terminal state (agents integration emits events into turns). */
  started?(run: RunRow): Promise<void>;
  ended?(run: RunRow): Promise<void>;
};

export type RunWorkerDeps = {
  db: Kysely<DB>;
  driver: SandboxDriver;
  blobs: BlobStore;
  bus: LogBus;
  envKey: Buffer;
  log: Logger;
  limits: { logBytes: number; outputBytes: number; processes: number; openFiles: number };
  hooks?: RunHooks;
};

type Outcome = {
  status: TerminalRunStatus;
  exitCode: number | null;
  reason: string | null;
  outputs?: OutputManifest;
};

/** Why a run that was active when its worker stopped (SIGTERM/SIGINT) failed. */
const LOST_ON_STOP =
  'worker lost: the server stopped while the run was active; it was not retried because it had started';

/** What a step of the run hands on: the row as last written, and the outcome once there is one. */
type Progress = { run: RunRow; outcome: Outcome | undefined };

/** The process's environment and the sinks and limits every step shares. */
type Io = {
  env: Record<string, string>;
  sink: LogSink;
  onOutput(stream: 'stdout' | 'stderr', chunk: Buffer): void;
  deadline: number;
  signal: AbortSignal;
};

export function createRunJobHandler(deps: RunWorkerDeps): JobDefinition {
  return defineJob(runJob, {
    run: (job, ctx) => workRun(deps, job, ctx),
    lost: (job) => lostRun(deps, job),
  });
}

async function workRun(deps: RunWorkerDeps, job: Job<RunJobPayload>, ctx: JobContext) {
  const { db } = deps;
  const payload = job.payload;
  const runId = payload.run_id;
  // Claim the run first: a worker that dies before this leaves it queued and safe to retry.
  const claimed = await claimQueuedRun(db, runId, newId('sbx'));
  await dropSealedEnvs(db, job.id, payload.envs);
  if (!claimed) return { skipped: 'run is no longer queued' };
  deps.bus.announce(runId);
  const ready = await preflight(deps, {
    sealed: payload.envs,
    envsOwner: runId,
    what: 'run',
    versionId: claimed.version_id,
  });
  if (!ready.ok)
    return finish(deps, claimed, { status: 'failed', exitCode: null, reason: ready.reason }, undefined).then(
      () => ({}),
    );
  const { run, outcome, sandbox } = await execute(deps, claimed, ready.envs, ready.version, ctx.signal);
  if (await leaseLost(ctx.signal, sandbox)) return {};
  const final = await finish(deps, run, outcome, sandbox, ready.version.config.debug.retain_on_failure);
  return { status: final.status };
}

/** Sandbox, bundle, input, install, entrypoint: the run's work, whose failures are outcomes. */
async function execute(
  deps: RunWorkerDeps,
  claimed: RunRow,
  envs: Record<string, string>,
  version: VersionRow,
  signal: AbortSignal,
): Promise<{ run: RunRow; outcome: Outcome; sandbox: Sandbox | undefined }> {
  const { config } = version;
  const deadline = claimed.started_at!.getTime() + config.resources.timeout_seconds * 1000;
  const envValues = Object.values(envs);
  const progress: Progress = { run: claimed, outcome: undefined };
  let sink: LogSink | undefined;
  let sandbox: Sandbox | undefined;
  try {
    const run = claimed;
    sandbox = await createSandbox(deps, run.sandbox_id!, config);
    const extra = (await deps.hooks?.env?.(run, sandbox)) ?? { env: {}, secrets: [] };
    sink = createLogSink({
      db: deps.db,
      bus: deps.bus,
      owner: { table: 'agent_runs', id: run.id },
      maxBytes: deps.limits.logBytes,
      redactor: createRedactor([...envValues, ...extra.secrets]),
      onError: (e) => deps.log.warn({ err: e, run: run.id }, 'writing run logs failed'),
    });
    await materializeVersion(deps, run.workspace_id, version, sandbox);
    await fs.writeFile(path.join(sandbox.hostRunDir, INPUT_FILE), JSON.stringify(run.input));
    const io: Io = {
      env: runEnvironment(run, sandbox.runDir, config.workdir, envs, extra.env),
      sink,
      onOutput: (stream, chunk) => sink!.write(stream, chunk),
      deadline,
      signal,
    };
    if (config.install !== null) await install(deps, progress, sandbox, config, config.install, io);
    if (progress.outcome === undefined) await entrypoint(deps, progress, sandbox, config, io);
  } catch (error) {
    deps.log.error({ err: error, run: claimed.id }, 'agent run failed in the platform');
    progress.outcome = {
      status: 'failed',
      exitCode: null,
      reason: `platform error: ${(error as Error).message}`,
    };
  } finally {
    const { outcome } = progress;
    if (outcome && outcome.status !== 'succeeded' && outcome.reason) sink?.system(outcome.reason);
    await sink?.close();
  }
  return { run: progress.run, outcome: progress.outcome!, sandbox };
}

/** starting → installing; config.install runs; an outcome only when it did not succeed. */
async function install(
  deps: RunWorkerDeps,
  progress: Progress,
  sandbox: Sandbox,
  config: AgentConfig,
  command: string,
  io: Io,
): Promise<void> {
  progress.run = await markRunInstalling(deps.db, progress.run.id);
  deps.bus.announce(progress.run.id);
  const ending = await runInstall(sandbox, command, io);
  progress.outcome = judge(
    'install',
    ending,
    progress.run,
    config.resources.timeout_seconds,
    memoryAndDisk(config),
  );
  if (progress.outcome?.status === 'cancelled') progress.run = await getRun(deps.db, progress.run.id);
}

/** → running; the entrypoint runs to its end; outputs are collected when it exited. */
async function entrypoint(
  deps: RunWorkerDeps,
  progress: Progress,
  sandbox: Sandbox,
  config: AgentConfig,
  io: Io,
): Promise<void> {
  const proc = sandbox.exec({ command: config.entrypoint, env: io.env, onOutput: io.onOutput });
  await proc.started;
  const run = (progress.run = await markRunRunning(deps.db, progress.run.id, proc.pid));
  deps.bus.announce(run.id);
  await deps.hooks?.started?.(run).catch((e) => deps.log.warn({ err: e, run: run.id }, 'run hook failed'));
  const ending = await waitFor(proc, io.deadline, io.signal);
  if (ending.kind === 'aborted' && ending.reason instanceof JobCancelledError)
    progress.run = await getRun(deps.db, run.id);
  const outcome = judge(
    'entrypoint',
    ending,
    progress.run,
    config.resources.timeout_seconds,
    memoryAndDisk(config),
  ) ?? {
    status: 'succeeded',
    exitCode: 0,
    reason: null,
  };
  progress.outcome = outcome;
  if (ending.kind === 'exited') {
    outcome.exitCode = ending.result.exitCode;
    outcome.outputs = await collect(deps, progress.run, sandbox, config);
  }
}

/** Stores the declared output files as blobs and records them; the manifest says what was found. */
async function collect(deps: RunWorkerDeps, run: RunRow, sandbox: Sandbox, config: AgentConfig) {
  const collected = await collectOutputs(sandbox.hostWorkdir, config.outputs.paths, deps.limits.outputBytes);
  for (const file of collected.files)
    await deps.blobs.put(deps.db, run.workspace_id, file.digest, file.bytes);
  await insertRunOutputs(
    deps.db,
    collected.files.map((f) => ({
      run_id: run.id,
      workspace_id: run.workspace_id,
      path: f.path,
      size: f.size,
      digest: f.digest,
    })),
  );
  return collected.manifest;
}

/**
 * Records the terminal state. A failed or timed-out run keeps its sandbox when retention is on: the
 * run's retain_on_failure, else the version's debug.retain_on_failure (`retainByDefault`).
 */
async function finish(
  deps: RunWorkerDeps,
  run: RunRow,
  outcome: Outcome,
  sandbox: Sandbox | undefined,
  retainByDefault = false,
): Promise<RunRow> {
  const { log } = deps;
  const retain =
    sandbox !== undefined &&
    (outcome.status === 'failed' || outcome.status === 'timed_out') &&
    (run.retain_on_failure ?? retainByDefault) &&
    run.retention_seconds !== null;
  const now = new Date();
  const ended = await finishRun(deps.db, run.id, {
    status: outcome.status,
    exit_code: outcome.exitCode,
    failure_reason: outcome.status === 'succeeded' ? null : outcome.reason,
    outputs: outcome.outputs,
    completed_at: now,
    retained_until: retain ? new Date(now.getTime() + run.retention_seconds! * 1000) : null,
    sandbox_removed_at: retain || sandbox === undefined ? null : now,
  });
  if (sandbox && !retain)
    await sandbox.destroy().catch((e) => log.warn({ err: e, run: run.id }, 'removing a sandbox failed'));
  deps.bus.announce(run.id);
  const final = ended ?? run;
  if (ended)
    await deps.hooks?.ended?.(ended).catch((e) => log.warn({ err: e, run: run.id }, 'run hook failed'));
  return final;
}

/** Turns a process ending into a terminal outcome, or undefined when it exited 0. */
function judge(
  what: string,
  ending: Ending,
  run: RunRow,
  timeoutSeconds: number,
  limits: { memoryMb: number; diskMb: number },
): Outcome | undefined {
  switch (ending.kind) {
    case 'timeout':
      return {
        status: 'timed_out',
        exitCode: null,
        reason: `${what} ran past resources.timeout_seconds (${timeoutSeconds} s) and was killed`,
      };
    case 'aborted':
      if (ending.reason instanceof JobCancelledError)
        return {
          status: 'cancelled',
          exitCode: null,
          reason: run.failure_reason ?? 'cancelled by request',
        };
      // The runner is stopping (shutdown) and its grace is over: the run's process tree was killed.
      // It ends as a lost worker's run does (docs/agent-deployments.md), settled here by the worker
      // that knows it, and its job is done: it is never run again.
      return {
        status: 'failed',
        exitCode: null,
        reason: LOST_ON_STOP,
      };
    case 'exited': {
      const why = describeExit(what, ending.result, limits);
      return why === undefined
        ? undefined
        : { status: 'failed', exitCode: ending.result.exitCode, reason: why };
    }
    default: {
      const never: never = ending;
      throw new Error(`unknown ending ${JSON.stringify(never)}`);
    }
  }
}

/** A worker died holding this run: retry only if it never left `queued`, else end it failed. */
async function lostRun(deps: RunWorkerDeps, job: Job<RunJobPayload>): Promise<'retry' | 'fail'> {
  const { run_id: runId } = job.payload;
  const run = await findRunById(deps.db, runId);
  if (!run) return 'fail';
  if (run.status === 'queued') return 'retry';
  if (isTerminal(run.status)) return 'fail';
  await finish(
    deps,
    run,
    {
      status: 'failed',
      exitCode: null,
      reason:
        'worker lost: the process running this run stopped responding; it was not retried because it had started',
    },
    undefined,
  );
  if (run.sandbox_id) await deps.driver.remove(run.sandbox_id).catch(() => {});
  return 'fail';
}
