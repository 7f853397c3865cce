/**
 * The agent-deployments domain wired together: deployments, versions and bundles, job runs and
 * service instances in sandboxes (carried out by the job queue), their logs and outputs. The job
 * handlers go to the process's agent job runner; the composition root decides whether this process
 * runs them. The service proxy reaches only sandboxes of this process's worker (services/registry.ts).
 */
import { hkdfSync } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.ts';
import type { ApiApp } from '../http/context.ts';
import { jobHandlers as handlersOf } from '../jobs/registry.ts';
import type { SandboxDriver } from '../sandbox/driver.ts';
import { createBlobStore } from './blobs.ts';
import { registerDeploymentRoutes } from './deployments/routes.ts';
import { createDeploymentService } from './deployments/service.ts';
import { createLogBus } from './logs/bus.ts';
import { createLogReader } from './logs/service.ts';
import { removeOrphans, sweepRetained } from './retention.ts';
import { registerRunRoutes } from './runs/routes.ts';
import { createRunService } from './runs/service.ts';
import { createRunJobHandler, type RunHooks } from './runs/worker.ts';
import { createServiceRegistry } from './services/registry.ts';
import { registerServiceRoutes } from './services/routes.ts';
import { createServiceService } from './services/service.ts';
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

export function deploymentsModule(deps: {
  db: Kysely<DB>;
  log: Logger;
  publicUrl: string;
  driver: SandboxDriver;
  envKey: Buffer;
  settings: DeploymentsSettings;
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
  const services = createServiceService({
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
      const active = await db
        .selectFrom('agent_runs')
        .select('id')
        .where('deployment_id', '=', deploymentId)
        .where('status', 'in', ['queued', 'starting', 'installing', 'running'])
        .execute();
      for (const run of active) await runs.cancel(workspaceId, deploymentId, run.id, 'deployment deleted');
    },
  });
  const versions = createVersionService({
    db,
    blobs,
    limits: { maxBytes: settings.bundleMaxBytes, maxEntries: settings.bundleMaxEntries },
  });
  const jobHandlers = handlersOf([
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
  ]);

  return {
    deployments,
    versions,
    runs,
    services,
    driver,
    jobHandlers,
    /** Lets another domain (agents) hook into runs it starts; set before the runner starts. */
    hooks,
    register(app: ApiApp): void {
      registerDeploymentRoutes(app, deployments, versions);
      registerRunRoutes(app, runs, reader, { fingerprintKey });
      registerServiceRoutes(app, services, reader, { fingerprintKey, registry });
    },
    /** Worker housekeeping: expired retained sandboxes. */
    sweepRetained: () => sweepRetained(db, driver),
    /** Worker start-up: sandbox directories a crash left behind. */
    removeOrphans: () => removeOrphans(db, driver, log),
  };
}
