/**
 * The `agent.service` job handler: carries one generation of a service instance for as long as it
 * lives — sandbox made, bundle materialised, config.install run, then the entrypoint started with its
 * port exposed and watched by the readiness probe (starting → ready ⇄ unhealthy) until the process
 * exits (failed), readiness never comes (failed), the instance is stopped (stopped) or restarted (the
 * next generation's job takes over). Every write is guarded by the generation, so a superseded job
 * never touches the instance again. See docs/agent-services.md.
 */
import { sql, type Kysely, type Updateable } from 'kysely';
import type { Logger } from 'pino';
import { newId } from '../../db/ids.ts';
import type { DB } from '../../db/schema.ts';
import { JobCancelledError, JobLeaseLostError } from '../../jobs/errors.ts';
import { defineJob, type JobDefinition } from '../../jobs/registry.ts';
import type { Sandbox, SandboxDriver, SandboxProcess } from '../../sandbox/driver.ts';
import type { BlobStore } from '../blobs.ts';
import { materializeBundle } from '../bundles/materialize.ts';
import { openEnvs } from '../envs/seal.ts';
import type { LogBus } from '../logs/bus.ts';
import { serviceJob } from '../jobs.ts';
import { createRedactor } from '../logs/redact.ts';
import { createLogSink, type LogSink } from '../logs/sink.ts';
import { describeExit, waitFor } from '../runs/process-wait.ts';
import { LIVE_SERVICE_STATUSES, type AgentServicesTable, type ServiceStatus } from '../tables.ts';
import { serviceEnvironment } from './environment.ts';
import { probePort } from './probe.ts';
import { describeProbe, watchReadiness, type Readiness, type ReadinessState } from './readiness.ts';
import type { LocalService, ServiceRegistry } from './registry.ts';
import type { ServiceRow } from './serialize.ts';
import { envsOwner } from './service.ts';

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

export function createServiceJobHandler(deps: ServiceWorkerDeps): JobDefinition {
  const { db, driver, log } = deps;
  const healthIntervalMs = deps.healthIntervalMs ?? HEALTH_INTERVAL_MS;

  /** Updates this generation's row if it is (still) in one of `from`; undefined when it is not. */
  const update = (
    service: ServiceRow,
    values: Updateable<AgentServicesTable>,
    from: readonly ServiceStatus[] = LIVE_SERVICE_STATUSES,
  ) =>
    db
      .updateTable('agent_services')
      .set({ ...values, updated_at: new Date() })
      .where('id', '=', service.id)
      .where('generation', '=', service.generation)
      .where('status', 'in', [...from])
      .returningAll()
      .executeTakeFirst();

  async function end(service: ServiceRow, outcome: Outcome, sandbox: Sandbox | undefined): Promise<void> {
    if (outcome.kind === 'ended') {
      await update(service, {
        status: outcome.status,
        failure_reason: outcome.reason,
        stopped_at: new Date(),
      });
      deps.bus.announce(service.id);
    }
    await sandbox
      ?.destroy()
      .catch((e) => log.warn({ err: e, service: service.id }, 'removing a sandbox failed'));
  }

  /** Why the job's signal was aborted, as an outcome (a cancel is a stop or a restart). */
  async function aborted(reason: unknown, service: ServiceRow): Promise<Outcome> {
    if (reason instanceof JobCancelledError) {
      const now = await db
        .selectFrom('agent_services')
        .select('generation')
        .where('id', '=', service.id)
        .executeTakeFirst();
      if (now?.generation !== service.generation) return { kind: 'superseded' };
      return { kind: 'ended', status: 'stopped', reason: null, log: 'stopped by request' };
    }
    return failed('worker stopped: the server shut down while the service was running');
  }

  /** Runs the entrypoint until it ends, watching readiness meanwhile. */
  async function supervise(
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
    const report = async (to: 'ready' | 'unhealthy' | 'progress', state: ReadinessState) => {
      const readiness_status = JSON.stringify(state);
      try {
        if (to === 'progress')
          await update(service, { readiness_status }, ['starting', 'ready', 'unhealthy']);
        else {
          const moved = await update(
            service,
            { status: to, readiness_status },
            to === 'ready' ? ['starting', 'unhealthy'] : ['ready'],
          );
          if (moved)
            sink.system(
              to === 'ready'
                ? `ready: ${describeProbe(readiness, service.port)} passed`
                : `unhealthy: ${state.consecutive_failures} probes failed in a row; last error: ${state.last_error}`,
            );
        }
        deps.bus.announce(service.id);
      } catch (error) {
        log.warn({ err: error, service: service.id }, 'recording service readiness failed');
      }
    };
    const watching = watchReadiness({
      readiness,
      port: service.port,
      probe: (ms) => probePort(sandbox, service.port, probeKind, ms, watch.signal),
      events: { report },
      signal: watch.signal,
      healthIntervalMs,
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
          return aborted(ending.reason, service);
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

  return defineJob(serviceJob, {
    async run(job, ctx) {
      const payload = job.payload;
      const serviceId = payload.service_id;
      const claimed = await db
        .updateTable('agent_services')
        .set({ sandbox_id: newId('sbx'), updated_at: new Date() })
        .where('id', '=', serviceId)
        .where('generation', '=', payload.generation)
        .where('job_id', '=', job.id)
        .where('status', '=', 'starting')
        .returningAll()
        .executeTakeFirst();
      if (payload.envs) {
        // The sealed values leave the database as soon as this worker holds them in memory.
        await sql`UPDATE jobs SET payload = payload - 'envs' WHERE id = ${job.id}`.execute(db);
      }
      if (!claimed) {
        // Stopped between the claim of the job and this: nothing was started, so it is over now.
        const stopped = await db
          .updateTable('agent_services')
          .set({ status: 'stopped', stopped_at: new Date(), updated_at: new Date() })
          .where('id', '=', serviceId)
          .where('job_id', '=', job.id)
          .where('status', '=', 'stopping')
          .executeTakeFirst();
        if (stopped.numUpdatedRows > 0n) deps.bus.announce(serviceId);
        return { skipped: 'the service instance is no longer starting this generation' };
      }
      deps.bus.announce(serviceId);
      let service = claimed;
      const envs = payload.envs
        ? openEnvs(deps.envKey, envsOwner(serviceId, service.generation), payload.envs)
        : {};
      if (envs === undefined) {
        await end(
          service,
          failed(
            'the service envs could not be decrypted: every process sharing this database needs the same ATOLL_ENV_KEY',
          ),
          undefined,
        );
        return {};
      }
      const check = await driver.check();
      if (!check.ok) {
        await end(service, failed(`no sandbox available: ${check.reason}`), undefined);
        return {};
      }
      const version = await db
        .selectFrom('agent_deployment_versions')
        .selectAll()
        .where('id', '=', service.version_id)
        .executeTakeFirstOrThrow();
      const config = version.config;
      if (config.service === null) {
        await end(service, failed(`version ${version.id} has no [service] config`), undefined);
        return {};
      }
      if (config.permissions.internet_access) {
        const net = await driver.checkInternet();
        if (!net.ok) {
          await end(service, failed(`internet_access is not available: ${net.reason}`), undefined);
          return {};
        }
      }
      const limits = { memoryMb: config.resources.memory_mb, diskMb: config.resources.disk_mb };
      const last = await db
        .selectFrom('agent_logs')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('owner_id', '=', serviceId)
        .executeTakeFirst();
      const sink = createLogSink({
        db,
        bus: deps.bus,
        owner: { table: 'agent_services', id: serviceId },
        maxBytes: deps.limits.logBytes,
        redactor: createRedactor(Object.values(envs)),
        onError: (e) => log.warn({ err: e, service: serviceId }, 'writing service logs failed'),
        // A restarted instance keeps one log: numbering and the byte budget continue.
        start: {
          seq: Number(last?.seq ?? 0),
          bytes: service.log_bytes,
          truncated: service.log_truncated,
        },
      });
      let sandbox: Sandbox | undefined;
      let local: LocalService | undefined;
      let outcome: Outcome | undefined;
      try {
        sink.system(
          service.generation === 0
            ? `starting version ${version.id}`
            : `restart ${service.generation}: starting version ${version.id}`,
        );
        sandbox = await driver.create({
          id: service.sandbox_id!,
          workdir: config.workdir,
          internetAccess: config.permissions.internet_access,
          resources: {
            ...limits,
            vcpus: config.resources.vcpus,
            processes: deps.limits.processes,
            openFiles: deps.limits.openFiles,
          },
        });
        const bundle = await deps.blobs.get(service.workspace_id, version.bundle_digest);
        if (!bundle)
          throw new Error(
            `bundle ${version.bundle_digest} of version ${version.id} is missing from the store`,
          );
        await materializeBundle(bundle, sandbox.hostWorkdir);
        const env = serviceEnvironment(service, config.workdir, envs);
        const onOutput = (stream: 'stdout' | 'stderr', chunk: Buffer) => sink.write(stream, chunk);
        if (config.install !== null) {
          sink.system(`$ ${config.install}`);
          const deadline = Date.now() + config.resources.timeout_seconds * 1000;
          const ending = await waitFor(
            sandbox.exec({ command: config.install, env, onOutput }),
            deadline,
            ctx.signal,
          );
          if (ending.kind === 'timeout')
            outcome = failed(
              `install ran past resources.timeout_seconds (${config.resources.timeout_seconds} s) and was killed`,
            );
          else if (ending.kind === 'aborted') outcome = await aborted(ending.reason, service);
          else {
            const why = describeExit('install', ending.result, limits);
            if (why !== undefined) outcome = failed(why);
          }
        }
        if (outcome === undefined) {
          sink.system(`$ ${config.entrypoint}`);
          const proc = sandbox.exec({
            command: config.entrypoint,
            env,
            onOutput,
            expose: config.service.port,
          });
          local = { sandbox, port: config.service.port, generation: service.generation };
          deps.registry.set(serviceId, local);
          await proc.started;
          service = (await update(service, { process_id: proc.pid, started_at: new Date() })) ?? service;
          deps.bus.announce(serviceId);
          outcome = await supervise(
            proc,
            sandbox,
            service,
            config.service.readiness,
            sink,
            ctx.signal,
            limits,
          );
        }
      } catch (error) {
        log.error({ err: error, service: serviceId }, 'agent service failed in the platform');
        outcome = failed(`platform error: ${(error as Error).message}`);
      } finally {
        if (local) deps.registry.delete(serviceId, local);
        if (outcome?.kind === 'ended') sink.system(outcome.log);
        await sink.close();
      }
      // The lease was lost: another worker settles the instance (lost()); touch nothing more.
      if (ctx.signal.reason instanceof JobLeaseLostError) {
        await sandbox?.destroy().catch(() => {});
        return {};
      }
      await end(service, outcome, sandbox);
      return outcome.kind === 'ended' ? { status: outcome.status } : { superseded: true };
    },

    /** A worker died holding this instance: it ends failed, never retried (its process is gone). */
    async lost(job) {
      const { service_id: serviceId, generation } = job.payload;
      const service = await db
        .selectFrom('agent_services')
        .selectAll()
        .where('id', '=', serviceId)
        .executeTakeFirst();
      if (!service || service.generation !== generation) return 'fail';
      await end(
        service,
        failed('worker lost: the process running this service stopped responding; it was not restarted'),
        undefined,
      );
      if (service.sandbox_id) await driver.remove(service.sandbox_id).catch(() => {});
      return 'fail';
    },
  });
}
