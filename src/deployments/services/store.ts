/**
 * SQL for agent service instances (agent_services): reads, the insert, and the named state changes of
 * an instance — stop, restart into a new generation, and the per-generation changes its worker makes
 * (claimed, started, readiness, ended), each guarded by the generation so that a superseded job never
 * writes. Nobody else in the family writes this table.
 */
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { PageRequest } from '../page.ts';
import { LIVE_SERVICE_STATUSES, type AgentServicesTable, type ServiceStatus } from '../tables.ts';

export type ServiceRow = Selectable<AgentServicesTable>;

export type NewService = Pick<
  Insertable<AgentServicesTable>,
  | 'id'
  | 'workspace_id'
  | 'deployment_id'
  | 'version_id'
  | 'port'
  | 'readiness_status'
  | 'idempotency_key'
  | 'job_id'
>;

/** The instance of this deployment, or undefined; `forUpdate` locks it for the caller's transaction. */
export async function findService(
  db: Kysely<DB>,
  workspaceId: string,
  deploymentId: string,
  serviceId: string,
  options: { forUpdate?: boolean } = {},
): Promise<ServiceRow | undefined> {
  let query = db
    .selectFrom('agent_services')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('deployment_id', '=', deploymentId)
    .where('id', '=', serviceId);
  if (options.forUpdate) query = query.forUpdate();
  return query.executeTakeFirst();
}

/** An instance by id alone (workers and waits, which hold its id from a job or an earlier read). */
export async function findServiceById(db: Kysely<DB>, serviceId: string): Promise<ServiceRow | undefined> {
  return db.selectFrom('agent_services').selectAll().where('id', '=', serviceId).executeTakeFirst();
}

/** The instance locked for update (in the caller's transaction); it must exist. */
export async function lockService(tx: Kysely<DB>, serviceId: string): Promise<ServiceRow> {
  return tx
    .selectFrom('agent_services')
    .selectAll()
    .where('id', '=', serviceId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

/** The instance's current generation, or undefined when it is gone. */
export async function findServiceGeneration(db: Kysely<DB>, serviceId: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('agent_services')
    .select('generation')
    .where('id', '=', serviceId)
    .executeTakeFirst();
  return row?.generation;
}

/** What a log reader needs of the instance: its status and whether its log was truncated. */
export async function getServiceLogState(
  db: Kysely<DB>,
  serviceId: string,
): Promise<{ status: ServiceStatus; log_truncated: boolean }> {
  return db
    .selectFrom('agent_services')
    .select(['status', 'log_truncated'])
    .where('id', '=', serviceId)
    .executeTakeFirstOrThrow();
}

export async function insertService(db: Kysely<DB>, row: NewService): Promise<ServiceRow> {
  return db.insertInto('agent_services').values(row).returningAll().executeTakeFirstOrThrow();
}

/** A page of the deployment's instances, newest first. */
export async function listServices(
  db: Kysely<DB>,
  workspaceId: string,
  deploymentId: string,
  filter: { status?: ServiceStatus | undefined; version_id?: string | undefined },
  page: PageRequest,
): Promise<ServiceRow[]> {
  let query = db
    .selectFrom('agent_services')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('deployment_id', '=', deploymentId);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.version_id) query = query.where('version_id', '=', filter.version_id);
  if (page.before !== undefined) query = query.where('seq', '<', page.before);
  return query
    .orderBy('seq', 'desc')
    .limit(page.limit + 1)
    .execute();
}

/** Ids of the deployment's live instances. */
export async function listLiveServiceIds(
  db: Kysely<DB>,
  workspaceId: string,
  deploymentId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('agent_services')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('deployment_id', '=', deploymentId)
    .where('status', 'in', [...LIVE_SERVICE_STATUSES])
    .execute();
  return rows.map((r) => r.id);
}

/** Which of these sandboxes a live instance owns. */
export async function listServiceOwnedSandboxes(
  db: Kysely<DB>,
  sandboxIds: string[],
): Promise<Array<string | null>> {
  const rows = await db
    .selectFrom('agent_services')
    .select('sandbox_id')
    .where('sandbox_id', 'in', sandboxIds)
    .where('status', 'in', ['starting', 'ready', 'unhealthy', 'stopping'])
    .execute();
  return rows.map((r) => r.sandbox_id);
}

/** → stopped at once (no running job will tear anything down). */
export async function markServiceStopped(tx: Kysely<DB>, serviceId: string, now: Date): Promise<ServiceRow> {
  return tx
    .updateTable('agent_services')
    .set({ status: 'stopped', stopped_at: now, updated_at: now })
    .where('id', '=', serviceId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** → stopping: its worker kills the process tree, then writes stopped. */
export async function markServiceStopping(tx: Kysely<DB>, serviceId: string, now: Date): Promise<ServiceRow> {
  return tx
    .updateTable('agent_services')
    .set({ status: 'stopping', updated_at: now })
    .where('id', '=', serviceId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A restart: the instance goes back to starting as a new generation carried by a new job. */
export async function startNextGeneration(
  tx: Kysely<DB>,
  serviceId: string,
  next: { version_id: string; port: number; generation: number; job_id: string; readiness_status: string },
): Promise<ServiceRow> {
  return tx
    .updateTable('agent_services')
    .set({
      status: 'starting',
      version_id: next.version_id,
      port: next.port,
      generation: next.generation,
      job_id: next.job_id,
      sandbox_id: null,
      process_id: null,
      failure_reason: null,
      readiness_status: next.readiness_status,
      started_at: null,
      stopped_at: null,
      updated_at: new Date(),
    })
    .where('id', '=', serviceId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The generation's job takes the starting instance, with its sandbox id; undefined if it is not its to take. */
export async function claimGeneration(
  db: Kysely<DB>,
  claim: { serviceId: string; generation: number; jobId: string; sandboxId: string },
): Promise<ServiceRow | undefined> {
  return db
    .updateTable('agent_services')
    .set({ sandbox_id: claim.sandboxId, updated_at: new Date() })
    .where('id', '=', claim.serviceId)
    .where('generation', '=', claim.generation)
    .where('job_id', '=', claim.jobId)
    .where('status', '=', 'starting')
    .returningAll()
    .executeTakeFirst();
}

/** Stopping before its job started anything: stopped now. Whether a row changed. */
export async function stopUnstartedGeneration(
  db: Kysely<DB>,
  serviceId: string,
  jobId: string,
): Promise<boolean> {
  const stopped = await db
    .updateTable('agent_services')
    .set({ status: 'stopped', stopped_at: new Date(), updated_at: new Date() })
    .where('id', '=', serviceId)
    .where('job_id', '=', jobId)
    .where('status', '=', 'stopping')
    .executeTakeFirst();
  return stopped.numUpdatedRows > 0n;
}

/**
 * Changes this generation's row if it is (still) this generation and in one of `from`; undefined
 * when it is not. The worker's named changes below are made of it.
 */
async function updateGeneration(
  db: Kysely<DB>,
  service: Pick<ServiceRow, 'id' | 'generation'>,
  values: Updateable<AgentServicesTable>,
  from: readonly ServiceStatus[] = LIVE_SERVICE_STATUSES,
): Promise<ServiceRow | undefined> {
  return db
    .updateTable('agent_services')
    .set({ ...values, updated_at: new Date() })
    .where('id', '=', service.id)
    .where('generation', '=', service.generation)
    .where('status', 'in', [...from])
    .returningAll()
    .executeTakeFirst();
}

type Generation = Pick<ServiceRow, 'id' | 'generation'>;

/** The entrypoint's process started. */
export function markGenerationStarted(db: Kysely<DB>, service: Generation, processId: number) {
  return updateGeneration(db, service, { process_id: processId, started_at: new Date() });
}

/** A readiness probe's progress, without a change of status. */
export function recordReadiness(db: Kysely<DB>, service: Generation, readinessStatus: string) {
  return updateGeneration(db, service, { readiness_status: readinessStatus }, [
    'starting',
    'ready',
    'unhealthy',
  ]);
}

/** starting/unhealthy → ready, or ready → unhealthy, with the probe's state. */
export function moveReadiness(
  db: Kysely<DB>,
  service: Generation,
  to: 'ready' | 'unhealthy',
  readinessStatus: string,
) {
  return updateGeneration(
    db,
    service,
    { status: to, readiness_status: readinessStatus },
    to === 'ready' ? ['starting', 'unhealthy'] : ['ready'],
  );
}

/** The generation ended: the instance is stopped or failed. */
export function endGeneration(
  db: Kysely<DB>,
  service: Generation,
  ending: { status: 'stopped' | 'failed'; reason: string | null },
) {
  return updateGeneration(db, service, {
    status: ending.status,
    failure_reason: ending.reason,
    stopped_at: new Date(),
  });
}

/** Records how much of the instance's log was kept (the log sink, in its batch's transaction). */
export async function setServiceLogUsage(
  tx: Kysely<DB>,
  serviceId: string,
  usage: { bytes: number; truncated: boolean },
): Promise<void> {
  await tx
    .updateTable('agent_services')
    .set({ log_bytes: usage.bytes, log_truncated: usage.truncated })
    .where('id', '=', serviceId)
    .execute();
}
