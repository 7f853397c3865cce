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
import { loadDeployment, loadLiveDeployment } from '../deployments/service.ts';
import { sealEnvs } from '../envs/seal.ts';
import { checkEnvs } from '../envs/validate.ts';
import { nsConflict, nsNotFound } from '../errors.ts';
import { runJob } from '../jobs.ts';
import type { LogBus } from '../logs/bus.ts';
import type { LogOwner } from '../logs/service.ts';
import { toItems, type Items, type PageRequest } from '../page.ts';
import type { AgentRun, CreateRunBody } from '../schemas.ts';
import { TERMINAL_RUN_STATUSES, type RunStatus } from '../tables.ts';
import { serializeRun, type RunRow } from './serialize.ts';
import { pickVersion } from './version-pick.ts';

const CANCEL_WAIT_MS = 5000;

export const isTerminal = (status: RunStatus) =>
  (TERMINAL_RUN_STATUSES as readonly string[]).includes(status);

export type RunService = ReturnType<typeof createRunService>;

export function createRunService(deps: {
  db: Kysely<DB>;
  blobs: BlobStore;
  bus: LogBus;
  envKey: Buffer;
  capacity: number;
  publicUrl: string;
  /** Called when a run ends without a worker (a queued run cancelled). */
  onEnded?(run: RunRow): Promise<void>;
}) {
  const { db } = deps;

  async function load(workspaceId: string, deploymentId: string, runId: string): Promise<RunRow> {
    await loadDeployment(db, workspaceId, deploymentId);
    const row = await db
      .selectFrom('agent_runs')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('deployment_id', '=', deploymentId)
      .where('id', '=', runId)
      .executeTakeFirst();
    if (!row) throw nsNotFound('agent_run', runId);
    return row;
  }

  /** Resolves once the run is terminal or `ms` passed (woken by this process's worker, else polling). */
  async function settle(runId: string, ms: number): Promise<RunRow | undefined> {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const row = await db.selectFrom('agent_runs').selectAll().where('id', '=', runId).executeTakeFirst();
      if (!row || isTerminal(row.status)) return row;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(250, Math.max(deadline - Date.now(), 0)));
        const unsubscribe = deps.bus.subscribe(runId, done);
        function done() {
          clearTimeout(timer);
          unsubscribe();
          resolve();
        }
      });
    }
    return undefined;
  }

  return {
    load,
    settle,

    /** The run as a log owner, after checking it is the caller's; each state read is one query. */
    async logOwner(workspaceId: string, deploymentId: string, runId: string): Promise<LogOwner> {
      await load(workspaceId, deploymentId, runId);
      return {
        id: runId,
        async state() {
          const row = await db
            .selectFrom('agent_runs')
            .select(['status', 'log_truncated'])
            .where('id', '=', runId)
            .executeTakeFirstOrThrow();
          return { ended: isTerminal(row.status), truncated: row.log_truncated };
        },
      };
    },

    async create(
      workspaceId: string,
      deploymentId: string,
      body: CreateRunBody,
      options: { idempotencyKey: string | null; turnId?: string },
    ): Promise<AgentRun> {
      const row = await db.transaction().execute(async (tx) => {
        const deployment = await loadLiveDeployment(tx, workspaceId, deploymentId);
        if (deployment.mode !== 'job')
          throw nsConflict(`deployment ${deploymentId} runs in service mode; start it with POST …/services`);
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
            ...(Object.keys(body.envs).length > 0 ? { envs: sealEnvs(deps.envKey, id, body.envs) } : {}),
          },
          // A second attempt happens only when a worker died before the run left `queued` (worker.ts).
          { workspaceId, maxAttempts: 2 },
        );
        return tx
          .insertInto('agent_runs')
          .values({
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
          })
          .returningAll()
          .executeTakeFirstOrThrow();
      });
      return serializeRun(row);
    },

    async get(workspaceId: string, deploymentId: string, runId: string): Promise<AgentRun> {
      return serializeRun(await load(workspaceId, deploymentId, runId));
    },

    async list(
      workspaceId: string,
      deploymentId: string,
      filter: { status?: RunStatus | undefined; version_id?: string | undefined },
      page: PageRequest,
    ): Promise<Items<AgentRun>> {
      await loadDeployment(db, workspaceId, deploymentId);
      let query = db
        .selectFrom('agent_runs')
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
      return toItems(rows, page, serializeRun);
    },

    /**
     * Cancels a run from any non-terminal state: a queued run at once, a started one by aborting its
     * worker, which kills the whole process tree. Waits briefly for the run to end; a terminal run
     * comes back unchanged.
     */
    async cancel(
      workspaceId: string,
      deploymentId: string,
      runId: string,
      reason?: string,
    ): Promise<AgentRun> {
      const run = await load(workspaceId, deploymentId, runId);
      if (isTerminal(run.status)) return serializeRun(run);
      const why = `cancelled${reason ? `: ${reason}` : ' by request'}`;
      const row = await db.transaction().execute(async (tx) => {
        const current = await tx
          .selectFrom('agent_runs')
          .selectAll()
          .where('id', '=', runId)
          .forUpdate()
          .executeTakeFirstOrThrow();
        if (isTerminal(current.status)) return current;
        if (current.job_id) await cancelJob(tx, current.job_id);
        const now = new Date();
        return tx
          .updateTable('agent_runs')
          .set(
            current.status === 'queued'
              ? {
                  status: 'cancelled',
                  failure_reason: why,
                  completed_at: now,
                  updated_at: now,
                  cancel_requested: true,
                }
              : { cancel_requested: true, failure_reason: why, updated_at: now },
          )
          .where('id', '=', runId)
          .returningAll()
          .executeTakeFirstOrThrow();
      });
      deps.bus.announce(runId);
      if (run.status === 'queued' && row.status === 'cancelled')
        await deps.onEnded?.(row).catch(() => {
          // the hook records its own failures; a cancel still succeeds
        });
      if (isTerminal(row.status)) return serializeRun(row);
      return serializeRun(
        (await settle(runId, CANCEL_WAIT_MS)) ?? (await load(workspaceId, deploymentId, runId)),
      );
    },

    async outputs(workspaceId: string, deploymentId: string, runId: string) {
      const run = await load(workspaceId, deploymentId, runId);
      const rows = await db
        .selectFrom('agent_run_outputs')
        .selectAll()
        .where('run_id', '=', runId)
        .orderBy('path')
        .execute();
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
    },

    /** One output file's bytes. */
    async download(workspaceId: string, deploymentId: string, runId: string, path: string) {
      await load(workspaceId, deploymentId, runId);
      const row = await db
        .selectFrom('agent_run_outputs')
        .selectAll()
        .where('run_id', '=', runId)
        .where('path', '=', path)
        .executeTakeFirst();
      if (!row) throw nsNotFound('agent_output', path);
      const bytes = await deps.blobs.get(workspaceId, row.digest);
      if (!bytes) throw nsNotFound('agent_output', path);
      return { path: row.path, digest: row.digest, bytes };
    },
  };
}
