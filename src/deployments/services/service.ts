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
import { loadDeployment, loadLiveDeployment, type DeploymentRow } from '../deployments/service.ts';
import { sealEnvs } from '../envs/seal.ts';
import { checkEnvs } from '../envs/validate.ts';
import { nsConflict, nsNotFound } from '../errors.ts';
import { serviceJob } from '../jobs.ts';
import type { LogOwner } from '../logs/service.ts';
import type { LogBus } from '../logs/bus.ts';
import { toItems, type Items, type PageRequest } from '../page.ts';
import { pickVersion } from '../runs/version-pick.ts';
import type { AgentService } from '../schemas.ts';
import { LIVE_SERVICE_STATUSES, type ServiceStatus } from '../tables.ts';
import type { VersionRow } from '../versions/service.ts';
import { initialReadiness } from './readiness.ts';
import { serializeService, type ServiceRow } from './serialize.ts';

const STOP_WAIT_MS = 5000;

export const isLive = (status: ServiceStatus) =>
  (LIVE_SERVICE_STATUSES as readonly string[]).includes(status);

/** What env values are sealed to: one generation of one instance (a sealed blob cannot be replayed). */
export const envsOwner = (serviceId: string, generation: number) => `${serviceId}#${generation}`;

export type ServiceService = ReturnType<typeof createServiceService>;

export function createServiceService(deps: {
  db: Kysely<DB>;
  bus: LogBus;
  envKey: Buffer;
  capacity: number;
  publicUrl: string;
}) {
  const { db } = deps;
  const serialize = (row: ServiceRow) => serializeService(row, deps.publicUrl);

  async function load(workspaceId: string, deploymentId: string, serviceId: string): Promise<ServiceRow> {
    await loadDeployment(db, workspaceId, deploymentId);
    const row = await db
      .selectFrom('agent_services')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('deployment_id', '=', deploymentId)
      .where('id', '=', serviceId)
      .executeTakeFirst();
    if (!row) throw nsNotFound('agent_service', serviceId);
    return row;
  }

  /** Resolves once the instance is no longer live or `ms` passed (woken by this process's worker, else polling). */
  async function settle(serviceId: string, ms: number): Promise<ServiceRow | undefined> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const row = await db
        .selectFrom('agent_services')
        .selectAll()
        .where('id', '=', serviceId)
        .executeTakeFirst();
      if (!row || !isLive(row.status)) return row;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(250, Math.max(deadline - Date.now(), 0)));
        const unsubscribe = deps.bus.subscribe(serviceId, done);
        function done() {
          clearTimeout(timer);
          unsubscribe();
          resolve();
        }
      });
    }
    return undefined;
  }

  /**
   * Stops a live instance: one whose job has not started is stopped at once; otherwise it goes
   * `stopping` and its worker kills the whole process tree, then `stopped`. Waits briefly for that;
   * a stopped or failed instance comes back unchanged.
   */
  async function stop(
    workspaceId: string,
    deploymentId: string,
    serviceId: string,
    options: { waitMs?: number } = {},
  ): Promise<AgentService> {
    const service = await load(workspaceId, deploymentId, serviceId);
    if (!isLive(service.status)) return serialize(service);
    const row = await db.transaction().execute(async (tx) => {
      const current = await tx
        .selectFrom('agent_services')
        .selectAll()
        .where('id', '=', serviceId)
        .forUpdate()
        .executeTakeFirstOrThrow();
      if (!isLive(current.status)) return current;
      const job = current.job_id ? await cancelJob(tx, current.job_id) : 'not_found';
      const now = new Date();
      // A job that is not running any more will not tear anything down: the instance is over now.
      const over = job !== 'requested';
      return tx
        .updateTable('agent_services')
        .set(
          over
            ? { status: 'stopped', stopped_at: now, updated_at: now }
            : { status: 'stopping', updated_at: now },
        )
        .where('id', '=', serviceId)
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    deps.bus.announce(serviceId);
    if (!isLive(row.status)) return serialize(row);
    return serialize(
      (await settle(serviceId, options.waitMs ?? STOP_WAIT_MS)) ??
        (await load(workspaceId, deploymentId, serviceId)),
    );
  }

  /** Queues the job of one generation (inside the caller's transaction). */
  async function enqueueGeneration(
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
          ? { envs: sealEnvs(deps.envKey, envsOwner(serviceId, generation), envs) }
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
      throw nsConflict(`deployment ${deployment.id} runs in job mode; start it with POST …/runs`);
    const version = await pickVersion(tx, deployment, versionId);
    const service = version.config.service;
    if (version.config.mode !== 'service' || service === null)
      throw nsConflict(`version ${version.id} is not a service-mode version (its config has no [service])`);
    checkEnvs(version.config, envs);
    return { version, service };
  }

  return {
    load,

    /** The instance as a log owner, after checking it is the caller's; each state read is one query. */
    async logOwner(workspaceId: string, deploymentId: string, serviceId: string): Promise<LogOwner> {
      await load(workspaceId, deploymentId, serviceId);
      return {
        id: serviceId,
        async state() {
          const row = await db
            .selectFrom('agent_services')
            .select(['status', 'log_truncated'])
            .where('id', '=', serviceId)
            .executeTakeFirstOrThrow();
          return { ended: !isLive(row.status), truncated: row.log_truncated };
        },
      };
    },
    settle,

    async create(
      workspaceId: string,
      deploymentId: string,
      body: { version_id?: string | null | undefined; envs: Record<string, string> },
      options: { idempotencyKey: string | null },
    ): Promise<AgentService> {
      const row = await db.transaction().execute(async (tx) => {
        const deployment = await loadLiveDeployment(tx, workspaceId, deploymentId);
        const { version, service } = await pick(tx, deployment, body.version_id, body.envs);
        await admitSandbox(tx, deps.capacity);
        const id = newId('adsvc');
        const job = await enqueueGeneration(tx, workspaceId, id, 0, body.envs);
        return tx
          .insertInto('agent_services')
          .values({
            id,
            workspace_id: workspaceId,
            deployment_id: deploymentId,
            version_id: version.id,
            port: service.port,
            readiness_status: JSON.stringify(initialReadiness(service.readiness)),
            idempotency_key: options.idempotencyKey,
            job_id: job.id,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
      });
      return serialize(row);
    },

    async get(workspaceId: string, deploymentId: string, serviceId: string): Promise<AgentService> {
      return serialize(await load(workspaceId, deploymentId, serviceId));
    },

    async list(
      workspaceId: string,
      deploymentId: string,
      filter: { status?: ServiceStatus | undefined; version_id?: string | undefined },
      page: PageRequest,
    ): Promise<Items<AgentService>> {
      await loadDeployment(db, workspaceId, deploymentId);
      let query = db
        .selectFrom('agent_services')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('deployment_id', '=', deploymentId);
      if (filter.status) query = query.where('status', '=', filter.status);
      if (filter.version_id) query = query.where('version_id', '=', filter.version_id);
      if (page.before !== undefined) query = query.where('seq', '<', page.before);
      const rows = await query
        .orderBy('seq', 'desc')
        .limit(page.limit + 1)
        .execute();
      return toItems(rows, page, serialize);
    },

    stop,

    /**
     * A new generation: the current job (if any) is cancelled, which kills its process tree and removes
     * its sandbox, and a new job starts the given version (default: the deployment's active one) with
     * the new envs in a new sandbox. The instance goes back to `starting`; its log continues.
     */
    async restart(
      workspaceId: string,
      deploymentId: string,
      serviceId: string,
      body: { version_id?: string | null | undefined; envs: Record<string, string> },
    ): Promise<AgentService> {
      const row = await db.transaction().execute(async (tx) => {
        const deployment = await loadLiveDeployment(tx, workspaceId, deploymentId);
        const current = await tx
          .selectFrom('agent_services')
          .selectAll()
          .where('workspace_id', '=', workspaceId)
          .where('deployment_id', '=', deploymentId)
          .where('id', '=', serviceId)
          .forUpdate()
          .executeTakeFirst();
        if (!current) throw nsNotFound('agent_service', serviceId);
        const { version, service } = await pick(tx, deployment, body.version_id, body.envs);
        // A live instance keeps its sandbox slot across the restart; an ended one needs a new one.
        if (!isLive(current.status)) await admitSandbox(tx, deps.capacity);
        if (current.job_id) await cancelJob(tx, current.job_id);
        const generation = current.generation + 1;
        const job = await enqueueGeneration(tx, workspaceId, serviceId, generation, body.envs);
        return tx
          .updateTable('agent_services')
          .set({
            status: 'starting',
            version_id: version.id,
            port: service.port,
            generation,
            job_id: job.id,
            sandbox_id: null,
            process_id: null,
            failure_reason: null,
            readiness_status: JSON.stringify(initialReadiness(service.readiness)),
            started_at: null,
            stopped_at: null,
            updated_at: new Date(),
          })
          .where('id', '=', serviceId)
          .returningAll()
          .executeTakeFirstOrThrow();
      });
      deps.bus.announce(serviceId);
      return serialize(row);
    },

    /** Stops every live instance of a deployment (it was deleted). */
    async stopAll(workspaceId: string, deploymentId: string): Promise<void> {
      const live = await db
        .selectFrom('agent_services')
        .select('id')
        .where('workspace_id', '=', workspaceId)
        .where('deployment_id', '=', deploymentId)
        .where('status', 'in', [...LIVE_SERVICE_STATUSES])
        .execute();
      await Promise.all(live.map((s) => stop(workspaceId, deploymentId, s.id)));
    },
  };
}
