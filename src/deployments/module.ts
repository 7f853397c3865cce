/**
 * The agent-deployments domain wired together: deployments, versions and bundles, job runs and
 * service instances in sandboxes (carried out by the job queue), their logs and outputs. Its jobs go
 * to the process's sandbox job runner, with its housekeeping (expired retained sandboxes) and start-up
 * (sandboxes a crash left behind); the composition root decides whether this process runs them. The
 * service proxy reaches only sandboxes of this process's worker (services/registry.ts).
 */
import { hkdfSync } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.ts';
import type { ApiApp } from '../http/context.ts';
import { defineModule } from '../module.ts';
import type { SandboxDriver } from '../sandbox/driver.ts';
import { createBlobStore } from './blobs.ts';
import { registerDeploymentRoutes } from './deployment-routes.ts';
import { createDeploymentService } from './deployment-service.ts';
import { createLogBus } from './logs/bus.ts';
import { createLogReader } from './logs/service.ts';
import { removeOrphans, sweepRetained } from './retention.ts';
import { registerRunRoutes } from './runs/routes.ts';
import { createRunService } from './runs/service.ts';
import { listActiveRunIds } from './runs/store.ts';
import { createRunJobHandler, type RunHooks } from './runs/worker.ts';
import { createServiceRegistry } from './services/registry.ts';
import { registerServiceRoutes } from './services/routes.ts';
import { createServiceManager } from './services/service.ts';
import { createServiceJobHandler } from './services/worker.ts';
import { createVersionService } from './versions/service.ts';

export type DeploymentsSettings = {
  capacity: number;
  processes: number;
  openFiles: number;
  bundleMaxBytes: number;
  bundleMaxEntries: number;
  logBytes: number;
  outputBytes: number;
};

export type DeploymentsModule = ReturnType<typeof deploymentsModule>;

/** How often retained sandboxes past their retention are removed. */
const RETENTION_SWEEP_MS = 15_000;

export function deploymentsModule(deps: {
  db: Kysely<DB>;
  log: Logger;
  publicUrl: string;
  driver: SandboxDriver;
  envKey: Buffer;
  settings: DeploymentsSettings;
  /** How another domain (agents) hooks into the runs it starts (turn tokens, events). */
  hooks?: RunHooks;
  /** Aborted when the server shuts down: open log streams end with a final frame. */
  stopping?: AbortSignal;
}) {
  const { db, log, settings, driver } = deps;
  const blobs = createBlobStore(db);
  const bus = createLogBus();
  const reader = createLogReader({ db, bus, stopping: deps.stopping });
  const fingerprintKey = Buffer.from(
    hkdfSync('sha256', deps.envKey, '', 'atoll idempotency fingerprint', 32),
  );
  const hooks: RunHooks = { ...deps.hooks };
  const runs = createRunService({
    db,
    // A queued run cancelled by the API never reaches a worker: its `ended` hook runs here.
    onEnded: (run) => hooks.ended?.(run) ?? Promise.resolve(),
    blobs,
    bus,
    envKey: deps.envKey,
    capacity: settings.capacity,
    publicUrl: deps.publicUrl,
  });
  const services = createServiceManager({
    db,
    bus,
    envKey: deps.envKey,
    capacity: settings.capacity,
    publicUrl: deps.publicUrl,
  });
  // The sandboxes of the services this process's worker runs: the proxy reaches them through it.
  const registry = createServiceRegistry();
  const deployments = createDeploymentService({
    db,
    onDeleted: async (workspaceId, deploymentId) => {
      await services.stopAll(workspaceId, deploymentId);
      const active = await listActiveRunIds(db, deploymentId);
      for (const id of active) await runs.cancel({ workspaceId, deploymentId, id }, 'deployment deleted');
    },
  });
  const versions = createVersionService({
    db,
    blobs,
    limits: { maxBytes: settings.bundleMaxBytes, maxEntries: settings.bundleMaxEntries },
  });
  const jobs = [
    createRunJobHandler({
      db,
      driver,
      blobs,
      bus,
      envKey: deps.envKey,
      log,
      limits: {
        logBytes: settings.logBytes,
        outputBytes: settings.outputBytes,
        processes: settings.processes,
        openFiles: settings.openFiles,
      },
      hooks,
    }),
    createServiceJobHandler({
      db,
      driver,
      blobs,
      bus,
      envKey: deps.envKey,
      log,
      registry,
      limits: {
        logBytes: settings.logBytes,
        processes: settings.processes,
        openFiles: settings.openFiles,
      },
    }),
  ];

  return defineModule({
    deployments,
    versions,
    runs,
    services,
    driver,
    name: 'deployments',
    jobs: { sandbox: jobs },
    periodic: [
      {
        name: 'sweeping retained sandboxes',
        everyMs: RETENTION_SWEEP_MS,
        async run() {
          const removed = await sweepRetained(db, driver);
          if (removed > 0) log.info({ removed }, 'removed expired retained sandboxes');
          return removed;
        },
      },
    ],
    /** Sandbox directories a crash left behind go before the sandbox runner starts. */
    async start(): Promise<void> {
      await removeOrphans(db, driver, log).catch((error) =>
        log.warn({ err: error }, 'removing orphaned sandboxes failed'),
      );
    },
    routes(app: ApiApp): void {
      registerDeploymentRoutes(app, deployments, versions);
      registerRunRoutes(app, runs, reader, { fingerprintKey });
      registerServiceRoutes(app, services, reader, { fingerprintKey, registry });
    },
  });
}
