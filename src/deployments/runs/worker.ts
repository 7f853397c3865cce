/**
 * The `agent.run` job handler: takes a queued run through starting (sandbox made, bundle materialised,
 * input written) → installing (config.install, if any) → running (config.entrypoint) → a terminal
 * state, under the version's wall-clock timeout and the job's cancel signal; captures logs; collects
 * outputs; keeps a failed sandbox for its retention or removes it at once. See docs/agent-deployments.md.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sql, type Kysely, type Updateable } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../../db/schema.ts';
import { newId } from '../../db/ids.ts';
import { JobCancelledError, JobLeaseLostError } from '../../jobs/errors.ts';
import { defineJob, type JobDefinition } from '../../jobs/registry.ts';
import type { Sandbox, SandboxDriver } from '../../sandbox/driver.ts';
import type { BlobStore } from '../blobs.ts';
import { materializeBundle } from '../bundles/materialize.ts';
import { openEnvs } from '../envs/seal.ts';
import type { LogBus } from '../logs/bus.ts';
import { runJob } from '../jobs.ts';
import { createRedactor } from '../logs/redact.ts';
import { createLogSink, type LogSink } from '../logs/sink.ts';
import { collectOutputs } from '../outputs/collect.ts';
import type { AgentRunsTable, OutputManifest, TerminalRunStatus } from '../tables.ts';
import { INPUT_FILE, runEnvironment } from './environment.ts';
import { describeExit, waitFor, type Ending } from './process-wait.ts';
import type { RunRow } from './serialize.ts';
import { isTerminal } from './service.ts';

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

export function createRunJobHandler(deps: RunWorkerDeps): JobDefinition {
  const { db, driver, log } = deps;

  const update = (id: string, values: Updateable<AgentRunsTable>) =>
    db
      .updateTable('agent_runs')
      .set({ ...values, updated_at: new Date() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();

  /**
   * Records the terminal state. A failed or timed-out run keeps its sandbox when retention is on: the
   * run's retain_on_failure, else the version's debug.retain_on_failure (`retainByDefault`).
   */
  async function finish(
    run: RunRow,
    outcome: Outcome,
    sandbox: Sandbox | undefined,
    retainByDefault = false,
  ): Promise<RunRow> {
    const retain =
      sandbox !== undefined &&
      (outcome.status === 'failed' || outcome.status === 'timed_out') &&
      (run.retain_on_failure ?? retainByDefault) &&
      run.retention_seconds !== null;
    const now = new Date();
    const ended = await db
      .updateTable('agent_runs')
      .set({
        status: outcome.status,
        exit_code: outcome.exitCode,
        failure_reason: outcome.status === 'succeeded' ? null : outcome.reason,
        ...(outcome.outputs ? { output_manifest: JSON.stringify(outcome.outputs) } : {}),
        completed_at: now,
        updated_at: now,
        retained_until: retain ? new Date(now.getTime() + run.retention_seconds! * 1000) : null,
        sandbox_removed_at: retain || sandbox === undefined ? null : now,
      })
      .where('id', '=', run.id)
      .where('status', 'in', ['queued', 'starting', 'installing', 'running'])
      .returningAll()
      .executeTakeFirst();
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

  return defineJob(runJob, {
    async run(job, ctx) {
      const payload = job.payload;
      const runId = payload.run_id;
      // Claim the run first: a worker that dies before this leaves it queued and safe to retry.
      const claimed = await db
        .updateTable('agent_runs')
        .set({ status: 'starting', sandbox_id: newId('sbx'), started_at: new Date(), updated_at: new Date() })
        .where('id', '=', runId)
        .where('status', '=', 'queued')
        .returningAll()
        .executeTakeFirst();
      if (payload.envs) {
        // The sealed values leave the database as soon as this worker holds them in memory.
        await sql`UPDATE jobs SET payload = payload - 'envs' WHERE id = ${job.id}`.execute(db);
      }
      if (!claimed) return { skipped: 'run is no longer queued' };
      deps.bus.announce(runId);
      let run = claimed;
      const envs = payload.envs ? openEnvs(deps.envKey, runId, payload.envs) : {};
      if (envs === undefined)
        return finish(
          run,
          {
            status: 'failed',
            exitCode: null,
            reason:
              'the run envs could not be decrypted: every process sharing this database needs the same ATOLL_ENV_KEY',
          },
          undefined,
        ).then(() => ({}));
      const check = await driver.check();
      if (!check.ok)
        return finish(
          run,
          { status: 'failed', exitCode: null, reason: `no sandbox available: ${check.reason}` },
          undefined,
        ).then(() => ({}));
      const version = await db
        .selectFrom('agent_deployment_versions')
        .selectAll()
        .where('id', '=', run.version_id)
        .executeTakeFirstOrThrow();
      const config = version.config;
      if (config.permissions.internet_access) {
        const net = await driver.checkInternet();
        if (!net.ok)
          return finish(
            run,
            { status: 'failed', exitCode: null, reason: `internet_access is not available: ${net.reason}` },
            undefined,
          ).then(() => ({}));
      }
      const limits = { memoryMb: config.resources.memory_mb, diskMb: config.resources.disk_mb };
      const deadline = run.started_at!.getTime() + config.resources.timeout_seconds * 1000;
      const envValues = Object.values(envs);
      let sink: LogSink | undefined;
      let sandbox: Sandbox | undefined;
      let outcome: Outcome | undefined;
      try {
        sandbox = await driver.create({
          id: run.sandbox_id!,
          workdir: config.workdir,
          internetAccess: config.permissions.internet_access,
          resources: {
            ...limits,
            vcpus: config.resources.vcpus,
            processes: deps.limits.processes,
            openFiles: deps.limits.openFiles,
          },
        });
        const extra = (await deps.hooks?.env?.(run, sandbox)) ?? { env: {}, secrets: [] };
        sink = createLogSink({
          db,
          bus: deps.bus,
          owner: { table: 'agent_runs', id: runId },
          maxBytes: deps.limits.logBytes,
          redactor: createRedactor([...envValues, ...extra.secrets]),
          onError: (e) => log.warn({ err: e, run: runId }, 'writing run logs failed'),
        });
        const bundle = await deps.blobs.get(run.workspace_id, version.bundle_digest);
        if (!bundle)
          throw new Error(
            `bundle ${version.bundle_digest} of version ${version.id} is missing from the store`,
          );
        await materializeBundle(bundle, sandbox.hostWorkdir);
        await fs.writeFile(path.join(sandbox.hostRunDir, INPUT_FILE), JSON.stringify(run.input));
        const env = runEnvironment(run, sandbox.runDir, config.workdir, envs, extra.env);
        const onOutput = (stream: 'stdout' | 'stderr', chunk: Buffer) => sink!.write(stream, chunk);
        if (config.install !== null) {
          run = await update(runId, { status: 'installing' });
          deps.bus.announce(runId);
          sink.system(`$ ${config.install}`);
          const ending = await waitFor(
            sandbox.exec({ command: config.install, env, onOutput }),
            deadline,
            ctx.signal,
          );
          outcome = judge('install', ending, run, config.resources.timeout_seconds, limits);
          if (outcome?.status === 'cancelled') run = await reload(runId);
        }
        if (outcome === undefined) {
          const proc = sandbox.exec({ command: config.entrypoint, env, onOutput });
          await proc.started;
          run = await update(runId, { status: 'running', process_id: proc.pid });
          deps.bus.announce(runId);
          await deps.hooks?.started?.(run).catch((e) => log.warn({ err: e, run: runId }, 'run hook failed'));
          const ending = await waitFor(proc, deadline, ctx.signal);
          if (ending.kind === 'aborted' && ending.reason instanceof JobCancelledError)
            run = await reload(runId);
          outcome = judge('entrypoint', ending, run, config.resources.timeout_seconds, limits) ?? {
            status: 'succeeded',
            exitCode: 0,
            reason: null,
          };
          if (ending.kind === 'exited') {
            outcome.exitCode = ending.result.exitCode;
            const collected = await collectOutputs(
              sandbox.hostWorkdir,
              config.outputs.paths,
              deps.limits.outputBytes,
            );
            for (const file of collected.files)
              await deps.blobs.put(db, run.workspace_id, file.digest, file.bytes);
            if (collected.files.length > 0)
              await db
                .insertInto('agent_run_outputs')
                .values(
                  collected.files.map((f) => ({
                    run_id: runId,
                    workspace_id: run.workspace_id,
                    path: f.path,
                    size: f.size,
                    digest: f.digest,
                  })),
                )
                .onConflict((oc) => oc.columns(['run_id', 'path']).doNothing())
                .execute();
            outcome.outputs = collected.manifest;
          }
        }
      } catch (error) {
        log.error({ err: error, run: runId }, 'agent run failed in the platform');
        outcome = { status: 'failed', exitCode: null, reason: `platform error: ${(error as Error).message}` };
      } finally {
        if (outcome && outcome.status !== 'succeeded' && outcome.reason) sink?.system(outcome.reason);
        await sink?.close();
      }
      // The lease was lost: another worker settles the run (lost()); touch nothing more.
      if (ctx.signal.reason instanceof JobLeaseLostError) {
        await sandbox?.destroy().catch(() => {});
        return {};
      }
      const final = await finish(run, outcome, sandbox, config.debug.retain_on_failure);
      return { status: final.status };
    },

    /** A worker died holding this run: retry only if it never left `queued`, else end it failed. */
    async lost(job) {
      const { run_id: runId } = job.payload;
      const run = await db.selectFrom('agent_runs').selectAll().where('id', '=', runId).executeTakeFirst();
      if (!run) return 'fail';
      if (run.status === 'queued') return 'retry';
      if (isTerminal(run.status)) return 'fail';
      await finish(
        run,
        {
          status: 'failed',
          exitCode: null,
          reason:
            'worker lost: the process running this run stopped responding; it was not retried because it had started',
        },
        undefined,
      );
      if (run.sandbox_id) await driver.remove(run.sandbox_id).catch(() => {});
      return 'fail';
    },
  });

  async function reload(id: string): Promise<RunRow> {
    return db.selectFrom('agent_runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }
}
