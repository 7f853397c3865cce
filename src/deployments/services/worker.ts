/**
 * The `agent.service` job handler: carries one generation of a service instance for as long as it
 * lives — sandbox made, bundle materialised, config.install run, then the entrypoint started with its
 * port exposed and watched by the readiness probe (starting → ready ⇄ unhealthy) until the process
 * exits (failed), readiness never comes (failed), the instance is stopped (stopped) or restarted (the
 * next generation's job takes over). Every write is guarded by the generation, so a superseded job
 * never touches the instance again. See docs/agent-services.md.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { newId } from '../../db/ids.ts';
import type { DB } from '../../db/schema.ts';
import { JobCancelledError } from '../../jobs/errors.ts';
import { defineJob, type Job, type JobDefinition } from '../../jobs/registry.ts';
import type { JobContext } from '../../jobs/runner.ts';
import type { Sandbox, SandboxDriver, SandboxProcess } from '../../sandbox/driver.ts';
import type { BlobStore } from '../blobs.ts';
import type { AgentConfig } from '../config-schema.ts';
import type { LogBus } from '../logs/bus.ts';
import { serviceJob, type ServiceJobPayload } from '../jobs.ts';
import { createRedactor } from '../logs/redact.ts';
import { createLogSink, type LogSink } from '../logs/sink.ts';
import { lastLogSeq } from '../logs/store.ts';
import { describeExit } from '../runs/process-wait.ts';
import {
  createSandbox,
  dropSealedEnvs,
  leaseLost,
  materializeVersion,
  memoryAndDisk,
  preflight,
  runInstall,
} from '../sandbox-start.ts';
import type { VersionRow } from '../versions/store.ts';
import { serviceEnvironment } from './environment.ts';
import { probePort } from './probe.ts';
import { describeProbe, watchReadiness, type Readiness, type ReadinessState } from './readiness.ts';
import type { LocalService, ServiceRegistry } from './registry.ts';
import type { ServiceRow } from './resources.ts';
import { envsOwner } from './service.ts';
import {
  claimGeneration,
  endGeneration,
  findServiceById,
  findServiceGeneration,
  markGenerationStarted,
  moveReadiness,
  recordReadiness,
  stopUnstartedGeneration,
} from './store.ts';

const HEALTH_INTERVAL_MS = 5000;

export type ServiceWorkerDeps = {
  db: Kysely<DB>;
  driver: SandboxDriver;
  blobs: BlobStore;
  bus: LogBus;
  envKey: Buffer;
  log: Logger;
  registry: ServiceRegistry;
  limits: { logBytes: number; processes: number; openFiles: number };
  /** Between readiness probes once the service is ready (default 5 s). */
  healthIntervalMs?: number;
};

/** How a generation ends: the instance's final state, or nothing to write (restarted / lease lost). */
type Outcome =
  | { kind: 'ended'; status: 'stopped' | 'failed'; reason: string | null; log: string }
  | { kind: 'superseded' };

const failed = (reason: string): Outcome => ({ kind: 'ended', status: 'failed', reason, log: reason });

/** One generation's work as it goes: the row as last written, its registration with the proxy, its outcome. */
type Progress = { service: ServiceRow; local: LocalService | undefined; outcome: Outcome | undefined };

export function createServiceJobHandler(deps: ServiceWorkerDeps): JobDefinition {
  return defineJob(serviceJob, {
    run: (job, ctx) => runGeneration(deps, job, ctx),
    lost: (job) => lostGeneration(deps, job),
  });
}

async function runGeneration(deps: ServiceWorkerDeps, job: Job<ServiceJobPayload>, ctx: JobContext) {
  const { db } = deps;
  const payload = job.payload;
  const serviceId = payload.service_id;
  const claimed = await claimGeneration(db, {
    serviceId,
    generation: payload.generation,
    jobId: job.id,
    sandboxId: newId('sbx'),
  });
  await dropSealedEnvs(db, job.id, payload.envs);
  if (!claimed) {
    // Stopped between the claim of the job and this: nothing was started, so it is over now.
    if (await stopUnstartedGeneration(db, serviceId, job.id)) deps.bus.announce(serviceId);
    return { skipped: 'the service instance is no longer starting this generation' };
  }
  deps.bus.announce(serviceId);
  const ready = await preflight(deps, {
    sealed: payload.envs,
    envsOwner: envsOwner(serviceId, claimed.generation),
    what: 'service',
    versionId: claimed.version_id,
    checkVersion: (version) =>
      version.config.service === null ? `version ${version.id} has no [service] config` : undefined,
  });
  if (!ready.ok) {
    await end(deps, claimed, failed(ready.reason), undefined);
    return {};
  }
  const sink = await openLog(deps, claimed, ready.envs);
  const { service, outcome, sandbox } = await execute(
    deps,
    claimed,
    ready.version,
    ready.envs,
    sink,
    ctx.signal,
  );
  if (await leaseLost(ctx.signal, sandbox)) return {};
  await end(deps, service, outcome, sandbox);
  return outcome.kind === 'ended' ? { status: outcome.status } : { superseded: true };
}

/** The instance's log sink; a restarted instance keeps one log, so numbering and the byte budget continue. */
async function openLog(deps: ServiceWorkerDeps, service: ServiceRow, envs: Record<string, string>) {
  const lastSeq = await lastLogSeq(deps.db, service.id);
  return createLogSink({
    db: deps.db,
    bus: deps.bus,
    owner: { table: 'agent_services', id: service.id },
    maxBytes: deps.limits.logBytes,
    redactor: createRedactor(Object.values(envs)),
    onError: (e) => deps.log.warn({ err: e, service: service.id }, 'writing service logs failed'),
    start: { seq: lastSeq, bytes: service.log_bytes, truncated: service.log_truncated },
  });
}

/** Sandbox, bundle, install, entrypoint under supervision: the generation's work, whose failures are outcomes. */
async function execute(
  deps: ServiceWorkerDeps,
  claimed: ServiceRow,
  version: VersionRow,
  envs: Record<string, string>,
  sink: LogSink,
  signal: AbortSignal,
): Promise<{ service: ServiceRow; outcome: Outcome; sandbox: Sandbox | undefined }> {
  const { config } = version;
  const progress: Progress = { service: claimed, local: undefined, outcome: undefined };
  let sandbox: Sandbox | undefined;
  try {
    sink.system(
      claimed.generation === 0
        ? `starting version ${version.id}`
        : `restart ${claimed.generation}: starting version ${version.id}`,
    );
    sandbox = await createSandbox(deps, claimed.sandbox_id!, config);
    await materializeVersion(deps, claimed.workspace_id, version, sandbox);
    const env = serviceEnvironment(claimed, config.workdir, envs);
    const io = {
      env,
      sink,
      onOutput: (stream: 'stdout' | 'stderr', chunk: Buffer) => sink.write(stream, chunk),
    };
    if (config.install !== null)
      progress.outcome = await install(deps, claimed, sandbox, config, config.install, { ...io, signal });
    if (progress.outcome === undefined) await entrypoint(deps, progress, sandbox, config, { ...io, signal });
  } catch (error) {
    deps.log.error({ err: error, service: claimed.id }, 'agent service failed in the platform');
    progress.outcome = failed(`platform error: ${(error as Error).message}`);
  } finally {
    if (progress.local) deps.registry.delete(claimed.id, progress.local);
    if (progress.outcome?.kind === 'ended') sink.system(progress.outcome.log);
    await sink.close();
  }
  return { service: progress.service, outcome: progress.outcome!, sandbox };
}

type Io = {
  env: Record<string, string>;
  sink: LogSink;
  onOutput(stream: 'stdout' | 'stderr', chunk: Buffer): void;
  signal: AbortSignal;
};

/** config.install under resources.timeout_seconds; an outcome only when it did not succeed. */
async function install(
  deps: ServiceWorkerDeps,
  service: ServiceRow,
  sandbox: Sandbox,
  config: AgentConfig,
  command: string,
  io: Io,
): Promise<Outcome | undefined> {
  const deadline = Date.now() + config.resources.timeout_seconds * 1000;
  const ending = await runInstall(sandbox, command, { ...io, deadline });
  if (ending.kind === 'timeout')
    return failed(
      `install ran past resources.timeout_seconds (${config.resources.timeout_seconds} s) and was killed`,
    );
  if (ending.kind === 'aborted') return aborted(deps, ending.reason, service);
  const why = describeExit('install', ending.result, memoryAndDisk(config));
  return why === undefined ? undefined : failed(why);
}

/** Starts the entrypoint with its port exposed and registered for the proxy, and supervises it to its end. */
async function entrypoint(
  deps: ServiceWorkerDeps,
  progress: Progress,
  sandbox: Sandbox,
  config: AgentConfig,
  io: Io,
) {
  const serviceConfig = config.service!;
  const { id, generation } = progress.service;
  io.sink.system(`$ ${config.entrypoint}`);
  const proc = sandbox.exec({
    command: config.entrypoint,
    env: io.env,
    onOutput: io.onOutput,
    expose: serviceConfig.port,
  });
  progress.local = { sandbox, port: serviceConfig.port, generation };
  deps.registry.set(id, progress.local);
  await proc.started;
  progress.service = (await markGenerationStarted(deps.db, progress.service, proc.pid)) ?? progress.service;
  deps.bus.announce(id);
  progress.outcome = await supervise(
    deps,
    proc,
    sandbox,
    progress.service,
    serviceConfig.readiness,
    io.sink,
    io.signal,
    memoryAndDisk(config),
  );
}

async function end(
  deps: ServiceWorkerDeps,
  service: ServiceRow,
  outcome: Outcome,
  sandbox: Sandbox | undefined,
): Promise<void> {
  if (outcome.kind === 'ended') {
    await endGeneration(deps.db, service, { status: outcome.status, reason: outcome.reason });
    deps.bus.announce(service.id);
  }
  await sandbox
    ?.destroy()
    .catch((e) => deps.log.warn({ err: e, service: service.id }, 'removing a sandbox failed'));
}

/** Why the job's signal was aborted, as an outcome (a cancel is a stop or a restart). */
async function aborted(deps: ServiceWorkerDeps, reason: unknown, service: ServiceRow): Promise<Outcome> {
  if (reason instanceof JobCancelledError) {
    const now = await findServiceGeneration(deps.db, service.id);
    if (now !== service.generation) return { kind: 'superseded' };
    return { kind: 'ended', status: 'stopped', reason: null, log: 'stopped by request' };
  }
  return failed('worker stopped: the server shut down while the service was running');
}

/** Records what the readiness watch reports, moving the instance between starting, ready and unhealthy. */
function readinessReporter(
  deps: ServiceWorkerDeps,
  service: ServiceRow,
  readiness: Readiness,
  sink: LogSink,
) {
  return async (to: 'ready' | 'unhealthy' | 'progress', state: ReadinessState) => {
    const readiness_status = JSON.stringify(state);
    try {
      if (to === 'progress') await recordReadiness(deps.db, service, readiness_status);
      else {
        const moved = await moveReadiness(deps.db, service, to, readiness_status);
        if (moved)
          sink.system(
            to === 'ready'
              ? `ready: ${describeProbe(readiness, service.port)} passed`
              : `unhealthy: ${state.consecutive_failures} probes failed in a row; last error: ${state.last_error}`,
          );
      }
      deps.bus.announce(service.id);
    } catch (error) {
      deps.log.warn({ err: error, service: service.id }, 'recording service readiness failed');
    }
  };
}

/** Runs the entrypoint until it ends, watching readiness meanwhile. */
async function supervise(
  deps: ServiceWorkerDeps,
  proc: SandboxProcess,
  sandbox: Sandbox,
  service: ServiceRow,
  readiness: Readiness,
  sink: LogSink,
  signal: AbortSignal,
  limits: { memoryMb: number; diskMb: number },
): Promise<Outcome> {
  const watch = new AbortController();
  const probeKind =
    readiness.type === 'http' ? { type: 'http' as const, path: readiness.path } : { type: 'tcp' as const };
  const watching = watchReadiness({
    readiness,
    port: service.port,
    probe: (ms) => probePort(sandbox, service.port, probeKind, ms, watch.signal),
    events: { report: readinessReporter(deps, service, readiness, sink) },
    signal: watch.signal,
    healthIntervalMs: deps.healthIntervalMs ?? HEALTH_INTERVAL_MS,
  });
  let onAbort: (() => void) | undefined;
  const stop = new Promise<{ kind: 'aborted'; reason: unknown }>((resolve) => {
    onAbort = () => resolve({ kind: 'aborted', reason: signal.reason });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const ending = await Promise.race([
      proc.exited.then((result) => ({ kind: 'exited' as const, result })),
      stop,
      watching.then((reason) =>
        reason === undefined ? new Promise<never>(() => {}) : { kind: 'not_ready' as const, reason },
      ),
    ]);
    watch.abort();
    if (ending.kind !== 'exited') await proc.kill();
    await watching;
    switch (ending.kind) {
      case 'exited':
        return failed(
          describeExit('entrypoint', ending.result, limits) ??
            'entrypoint exited with code 0; a service must keep running',
        );
      case 'not_ready':
        return failed(ending.reason);
      case 'aborted':
        return aborted(deps, ending.reason, service);
      default: {
        const never: never = ending;
        throw new Error(`unknown ending ${JSON.stringify(never)}`);
      }
    }
  } finally {
    watch.abort();
    signal.removeEventListener('abort', onAbort!);
  }
}

/** A worker died holding this instance: it ends failed, never retried (its process is gone). */
async function lostGeneration(
  deps: ServiceWorkerDeps,
  job: Job<ServiceJobPayload>,
): Promise<'retry' | 'fail'> {
  const { service_id: serviceId, generation } = job.payload;
  const service = await findServiceById(deps.db, serviceId);
  if (!service || service.generation !== generation) return 'fail';
  await end(
    deps,
    service,
    failed('worker lost: the process running this service stopped responding; it was not restarted'),
    undefined,
  );
  if (service.sandbox_id) await deps.driver.remove(service.sandbox_id).catch(() => {});
  return 'fail';
}
