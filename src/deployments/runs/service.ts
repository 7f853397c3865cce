/**
 * Agent runs (job mode): admission and creation (the run row and its job commit together, or nothing
 * is written), get, list, cancel, and output metadata and downloads. The work itself is done by the
 * job handler in worker.ts. Env values are sealed into the job payload and never stored otherwise.
 */
import type { Kysely } from 'kysely';
import { newId } from '../../db/ids.ts';
import type { DB } from '../../db/schema.ts';
import { cancel as cancelJob } from '../../jobs/queue.ts';
import type { BlobStore } from '../blobs.ts';
import { admitSandbox } from '../capacity.ts';
import { loadDeployment, loadLiveDeployment } from '../deployment-service.ts';
import { sealValues } from '../../lib/seal.ts';
import { checkEnvs } from '../envs/validate.ts';
import { stateConflict, notFound } from '../errors.ts';
import type { ResourceRef } from '../refs.ts';
import { instanceLogOwner, loadInstance, waitUntilSettled } from '../instance-reads.ts';
import { runJob } from '../jobs.ts';
import type { LogBus } from '../logs/bus.ts';
import type { LogOwner } from '../logs/service.ts';
import { toItems, type Items, type PageRequest } from '../page.ts';
import type { AgentRun, CreateRunBody } from '../schemas.ts';
import { TERMINAL_RUN_STATUSES, type RunStatus } from '../tables.ts';
import { toRun, type RunRow } from './resources.ts';
import {
  cancelQueuedRun,
  findRun,
  findRunById,
  findRunOutput,
  getRunLogState,
  insertRun,
  listRunOutputs,
  listRuns,
  lockRun,
  requestRunCancel,
} from './store.ts';
import { pickVersion } from './version-pick.ts';

const CANCEL_WAIT_MS = 5000;

export const isTerminal = (status: RunStatus) =>
  (TERMINAL_RUN_STATUSES as readonly string[]).includes(status);

export type RunServiceDeps = {
  db: Kysely<DB>;
  blobs: BlobStore;
  bus: LogBus;
  envKey: Buffer;
  capacity: number;
  publicUrl: string;
  /** Called when a run ends without a worker (a queued run cancelled). */
  onEnded?(run: RunRow): Promise<void>;
};

type CreateOptions = { idempotencyKey: string | null; turnId?: string };

export type RunService = ReturnType<typeof createRunService>;

export function createRunService(deps: RunServiceDeps) {
  const { db } = deps;
  return {
    load: (ref: ResourceRef) => load(deps, ref),
    settle: (runId: string, ms: number) => settle(deps, runId, ms),

    /** The run as a log owner, after checking it is the caller's; each state read is one query. */
    async logOwner(ref: ResourceRef): Promise<LogOwner> {
      await load(deps, ref);
      return instanceLogOwner(ref.id, () => getRunLogState(db, ref.id), isTerminal);
    },

    create: (workspaceId: string, deploymentId: string, body: CreateRunBody, options: CreateOptions) =>
      create(deps, workspaceId, deploymentId, body, options),

    async get(ref: ResourceRef): Promise<AgentRun> {
      return toRun(await load(deps, ref));
    },

    async list(
      workspaceId: string,
      deploymentId: string,
      filter: { status?: RunStatus | undefined; version_id?: string | undefined },
      page: PageRequest,
    ): Promise<Items<AgentRun>> {
      await loadDeployment(db, workspaceId, deploymentId);
      return toItems(await listRuns(db, workspaceId, deploymentId, filter, page), page, toRun);
    },

    cancel: (ref: ResourceRef, reason?: string) => cancel(deps, ref, reason),
    outputs: (ref: ResourceRef) => outputs(deps, ref),
    download: (ref: ResourceRef, path: string) => download(deps, ref, path),
  };
}

function load(deps: RunServiceDeps, ref: ResourceRef): Promise<RunRow> {
  return loadInstance(deps.db, 'agent_run', ref, findRun);
}

/** Resolves once the run is terminal or `ms` passed (woken by this process's worker, else polling). */
function settle(deps: RunServiceDeps, runId: string, ms: number): Promise<RunRow | undefined> {
  return waitUntilSettled(
    deps.bus,
    runId,
    ms,
    () => findRunById(deps.db, runId),
    (row) => isTerminal(row.status),
  );
}

async function create(
  deps: RunServiceDeps,
  workspaceId: string,
  deploymentId: string,
  body: CreateRunBody,
  options: CreateOptions,
): Promise<AgentRun> {
  const row = await deps.db.transaction().execute(async (tx) => {
    const deployment = await loadLiveDeployment(tx, workspaceId, deploymentId);
    if (deployment.mode !== 'job')
      throw stateConflict(`deployment ${deploymentId} runs in service mode; start it with POST …/services`);
    const version = await pickVersion(tx, deployment, body.version_id);
    checkEnvs(version.config, body.envs);
    const retain = body.retain_on_failure ?? version.config.debug.retain_on_failure;
    const retention = retain
      ? (body.retention_seconds ??
        (body.retain_on_failure == null ? version.config.debug.retain_seconds : 3600))
      : (body.retention_seconds ?? null);
    await admitSandbox(tx, deps.capacity);
    const id = newId('adrun');
    const job = await runJob.enqueue(
      tx,
      {
        run_id: id,
        ...(Object.keys(body.envs).length > 0 ? { envs: sealValues(deps.envKey, id, body.envs) } : {}),
      },
      // A second attempt happens only when a worker died before the run left `queued` (worker.ts).
      { workspaceId, maxAttempts: 2 },
    );
    return insertRun(tx, {
      id,
      workspace_id: workspaceId,
      deployment_id: deploymentId,
      version_id: version.id,
      input: JSON.stringify(body.input),
      retain_on_failure: body.retain_on_failure ?? null,
      retention_seconds: retention,
      idempotency_key: options.idempotencyKey,
      turn_id: options.turnId ?? null,
      job_id: job.id,
    });
  });
  return toRun(row);
}

/**
 * Cancels a run from any non-terminal state: a queued run at once, a started one by aborting its
 * worker, which kills the whole process tree. Waits briefly for the run to end; a terminal run
 * comes back unchanged.
 */
async function cancel(deps: RunServiceDeps, ref: ResourceRef, reason?: string): Promise<AgentRun> {
  const runId = ref.id;
  const run = await load(deps, ref);
  if (isTerminal(run.status)) return toRun(run);
  const why = `cancelled${reason ? `: ${reason}` : ' by request'}`;
  const row = await deps.db.transaction().execute(async (tx) => {
    const current = await lockRun(tx, runId);
    if (isTerminal(current.status)) return current;
    if (current.job_id) await cancelJob(tx, current.job_id);
    const now = new Date();
    return current.status === 'queued'
      ? cancelQueuedRun(tx, runId, why, now)
      : requestRunCancel(tx, runId, why, now);
  });
  deps.bus.announce(runId);
  if (run.status === 'queued' && row.status === 'cancelled')
    await deps.onEnded?.(row).catch(() => {
      // the hook records its own failures; a cancel still succeeds
    });
  if (isTerminal(row.status)) return toRun(row);
  return toRun((await settle(deps, runId, CANCEL_WAIT_MS)) ?? (await load(deps, ref)));
}

async function outputs(deps: RunServiceDeps, ref: ResourceRef) {
  const { deploymentId, id: runId } = ref;
  const run = await load(deps, ref);
  const rows = await listRunOutputs(deps.db, runId);
  const base = `${deps.publicUrl}/v1/agent-deployments/${deploymentId}/runs/${runId}/outputs/download`;
  return {
    run_id: runId,
    output_manifest: (run.output_manifest ?? {}) as Record<string, unknown>,
    outputs: rows.map((r) => ({
      path: r.path,
      type: 'file' as const,
      size: r.size,
      digest: r.digest,
      download_url: `${base}?path=${encodeURIComponent(r.path)}`,
    })),
  };
}

/** One output file's bytes. */
async function download(deps: RunServiceDeps, ref: ResourceRef, path: string) {
  const { workspaceId, id: runId } = ref;
  await load(deps, ref);
  const row = await findRunOutput(deps.db, runId, path);
  if (!row) throw notFound('agent_output', path);
  const bytes = await deps.blobs.get(workspaceId, row.digest);
  if (!bytes) throw notFound('agent_output', path);
  return { path: row.path, digest: row.digest, bytes };
}
