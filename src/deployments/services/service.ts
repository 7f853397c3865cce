/**
 * Agent service instances (service mode): admission and creation (the instance row and its job commit
 * together, or nothing is written), get, list, stop and restart. The instance's life — sandbox,
 * process, readiness — is carried by one `agent.service` job per generation (worker.ts); a restart
 * cancels the current job and queues the next under the same serial key, so generations never overlap.
 * Env values are sealed into the job payload and never stored otherwise.
 */
import type { Kysely } from 'kysely';
import { newId } from '../../db/ids.ts';
import type { DB } from '../../db/schema.ts';
import { cancel as cancelJob } from '../../jobs/queue.ts';
import { admitSandbox } from '../capacity.ts';
import { loadDeployment, loadLiveDeployment, type DeploymentRow } from '../deployment-service.ts';
import { sealValues } from '../../lib/seal.ts';
import { checkEnvs } from '../envs/validate.ts';
import { stateConflict, notFound } from '../errors.ts';
import type { ResourceRef } from '../refs.ts';
import { instanceLogOwner, loadInstance, waitUntilSettled } from '../instance-reads.ts';
import { serviceJob } from '../jobs.ts';
import type { LogOwner } from '../logs/service.ts';
import type { LogBus } from '../logs/bus.ts';
import { toItems, type Items, type PageRequest } from '../page.ts';
import { pickVersion } from '../runs/version-pick.ts';
import type { AgentService } from '../schemas.ts';
import { LIVE_SERVICE_STATUSES, type ServiceStatus } from '../tables.ts';
import type { VersionRow } from '../versions/service.ts';
import { initialReadiness } from './readiness.ts';
import { toService, type ServiceRow } from './resources.ts';
import {
  findService,
  findServiceById,
  getServiceLogState,
  insertService,
  listLiveServiceIds,
  listServices,
  lockService,
  markServiceStopped,
  markServiceStopping,
  startNextGeneration,
} from './store.ts';

const STOP_WAIT_MS = 5000;

export const isLive = (status: ServiceStatus) =>
  (LIVE_SERVICE_STATUSES as readonly string[]).includes(status);

/** What env values are sealed to: one generation of one instance (a sealed blob cannot be replayed). */
export const envsOwner = (serviceId: string, generation: number) => `${serviceId}#${generation}`;

export type ServiceManagerDeps = {
  db: Kysely<DB>;
  bus: LogBus;
  envKey: Buffer;
  capacity: number;
  publicUrl: string;
};

type StartBody = { version_id?: string | null | undefined; envs: Record<string, string> };

export type ServiceManager = ReturnType<typeof createServiceManager>;

export function createServiceManager(deps: ServiceManagerDeps) {
  const { db } = deps;
  return {
    load: (ref: ResourceRef) => load(deps, ref),

    /** The instance as a log owner, after checking it is the caller's; each state read is one query. */
    async logOwner(ref: ResourceRef): Promise<LogOwner> {
      const serviceId = ref.id;
      await load(deps, ref);
      return instanceLogOwner(
        serviceId,
        () => getServiceLogState(db, serviceId),
        (status) => !isLive(status),
      );
    },
    settle: (serviceId: string, ms: number) => settle(deps, serviceId, ms),

    create: (
      workspaceId: string,
      deploymentId: string,
      body: StartBody,
      options: { idempotencyKey: string | null },
    ) => create(deps, workspaceId, deploymentId, body, options),

    async get(ref: ResourceRef): Promise<AgentService> {
      return toService(await load(deps, ref), deps.publicUrl);
    },

    async list(
      workspaceId: string,
      deploymentId: string,
      filter: { status?: ServiceStatus | undefined; version_id?: string | undefined },
      page: PageRequest,
    ): Promise<Items<AgentService>> {
      await loadDeployment(db, workspaceId, deploymentId);
      return toItems(await listServices(db, workspaceId, deploymentId, filter, page), page, (row) =>
        toService(row, deps.publicUrl),
      );
    },

    stop: (ref: ResourceRef, options: { waitMs?: number } = {}) => stop(deps, ref, options),
    restart: (ref: ResourceRef, body: StartBody) => restart(deps, ref, body),

    /** Stops every live instance of a deployment (it was deleted). */
    async stopAll(workspaceId: string, deploymentId: string): Promise<void> {
      const live = await listLiveServiceIds(db, workspaceId, deploymentId);
      await Promise.all(live.map((id) => stop(deps, { workspaceId, deploymentId, id })));
    },
  };
}

function load(deps: ServiceManagerDeps, ref: ResourceRef): Promise<ServiceRow> {
  return loadInstance(deps.db, 'agent_service', ref, (db, ws, dep, id) => findService(db, ws, dep, id));
}

/** Resolves once the instance is no longer live or `ms` passed (woken by this process's worker, else polling). */
function settle(deps: ServiceManagerDeps, serviceId: string, ms: number): Promise<ServiceRow | undefined> {
  return waitUntilSettled(
    deps.bus,
    serviceId,
    ms,
    () => findServiceById(deps.db, serviceId),
    (row) => !isLive(row.status),
  );
}

async function create(
  deps: ServiceManagerDeps,
  workspaceId: string,
  deploymentId: string,
  body: StartBody,
  options: { idempotencyKey: string | null },
): Promise<AgentService> {
  const row = await deps.db.transaction().execute(async (tx) => {
    const deployment = await loadLiveDeployment(tx, workspaceId, deploymentId);
    const { version, service } = await pick(tx, deployment, body.version_id, body.envs);
    await admitSandbox(tx, deps.capacity);
    const id = newId('adsvc');
    const job = await enqueueGeneration(deps, tx, workspaceId, id, 0, body.envs);
    return insertService(tx, {
      id,
      workspace_id: workspaceId,
      deployment_id: deploymentId,
      version_id: version.id,
      port: service.port,
      readiness_status: JSON.stringify(initialReadiness(service.readiness)),
      idempotency_key: options.idempotencyKey,
      job_id: job.id,
    });
  });
  return toService(row, deps.publicUrl);
}

/**
 * Stops a live instance: one whose job has not started is stopped at once; otherwise it goes
 * `stopping` and its worker kills the whole process tree, then `stopped`. Waits briefly for that;
 * a stopped or failed instance comes back unchanged.
 */
async function stop(
  deps: ServiceManagerDeps,
  ref: ResourceRef,
  options: { waitMs?: number } = {},
): Promise<AgentService> {
  const serviceId = ref.id;
  const serialize = (row: ServiceRow) => toService(row, deps.publicUrl);
  const service = await load(deps, ref);
  if (!isLive(service.status)) return serialize(service);
  const row = await deps.db.transaction().execute(async (tx) => {
    const current = await lockService(tx, serviceId);
    if (!isLive(current.status)) return current;
    const job = current.job_id ? await cancelJob(tx, current.job_id) : 'not_found';
    const now = new Date();
    // A job that is not running any more will not tear anything down: the instance is over now.
    const over = job !== 'requested';
    return over ? markServiceStopped(tx, serviceId, now) : markServiceStopping(tx, serviceId, now);
  });
  deps.bus.announce(serviceId);
  if (!isLive(row.status)) return serialize(row);
  return serialize(
    (await settle(deps, serviceId, options.waitMs ?? STOP_WAIT_MS)) ?? (await load(deps, ref)),
  );
}

/**
 * A new generation: the current job (if any) is cancelled, which kills its process tree and removes
 * its sandbox, and a new job starts the given version (default: the deployment's active one) with
 * the new envs in a new sandbox. The instance goes back to `starting`; its log continues.
 */
async function restart(deps: ServiceManagerDeps, ref: ResourceRef, body: StartBody): Promise<AgentService> {
  const { workspaceId, deploymentId, id: serviceId } = ref;
  const row = await deps.db.transaction().execute(async (tx) => {
    const deployment = await loadLiveDeployment(tx, workspaceId, deploymentId);
    const current = await findService(tx, workspaceId, deploymentId, serviceId, { forUpdate: true });
    if (!current) throw notFound('agent_service', serviceId);
    const { version, service } = await pick(tx, deployment, body.version_id, body.envs);
    // A live instance keeps its sandbox slot across the restart; an ended one needs a new one.
    if (!isLive(current.status)) await admitSandbox(tx, deps.capacity);
    if (current.job_id) await cancelJob(tx, current.job_id);
    const generation = current.generation + 1;
    const job = await enqueueGeneration(deps, tx, workspaceId, serviceId, generation, body.envs);
    return startNextGeneration(tx, serviceId, {
      version_id: version.id,
      port: service.port,
      generation,
      job_id: job.id,
      readiness_status: JSON.stringify(initialReadiness(service.readiness)),
    });
  });
  deps.bus.announce(serviceId);
  return toService(row, deps.publicUrl);
}

/** Queues the job of one generation (inside the caller's transaction). */
async function enqueueGeneration(
  deps: ServiceManagerDeps,
  tx: Kysely<DB>,
  workspaceId: string,
  serviceId: string,
  generation: number,
  envs: Record<string, string>,
) {
  return serviceJob.enqueue(
    tx,
    {
      service_id: serviceId,
      generation,
      ...(Object.keys(envs).length > 0
        ? { envs: sealValues(deps.envKey, envsOwner(serviceId, generation), envs) }
        : {}),
    },
    {
      workspaceId,
      // One generation at a time: a restart's job waits until the previous one has torn down.
      serialKey: `${serviceJob.name}:${serviceId}`,
      // Never retried: a service whose worker died ends failed (worker.ts `lost`).
      maxAttempts: 1,
    },
  );
}

/** The version to run and its service config; 409 unless the deployment runs in service mode. */
async function pick(
  tx: Kysely<DB>,
  deployment: DeploymentRow,
  versionId: string | null | undefined,
  envs: Record<string, string>,
): Promise<{ version: VersionRow; service: NonNullable<VersionRow['config']['service']> }> {
  if (deployment.mode !== 'service')
    throw stateConflict(`deployment ${deployment.id} runs in job mode; start it with POST …/runs`);
  const version = await pickVersion(tx, deployment, versionId);
  const service = version.config.service;
  if (version.config.mode !== 'service' || service === null)
    throw stateConflict(`version ${version.id} is not a service-mode version (its config has no [service])`);
  checkEnvs(version.config, envs);
  return { version, service };
}
