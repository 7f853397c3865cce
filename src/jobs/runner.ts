/**
 * The worker loop: claims ready jobs of the kinds it has handlers for, runs up to `concurrency` of them
 * under leases it renews every leaseMs/3, records each outcome, and takes over jobs whose lease expired
 * (their worker died). Woken by enqueues in this process, Postgres NOTIFYs from others, and a poll
 * every `pollMs` that also looks for expired leases. See docs/jobs.md.
 */
import { AsyncResource } from 'node:async_hooks';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { DB } from '../db/schema.ts';
import { JobCancelledError, JobLeaseLostError, JobRunnerStoppingError } from './errors.ts';
import { defaultRetryDelayMs, errorText, failureOutcome, lostOutcome, successOutcome } from './outcome.ts';
import { claimJobs, finishJob, renewLeases, takeOverExpired, type JobOutcome, type Lease } from './store.ts';
import type { JobRow } from './tables.ts';
import { ANY_KIND, JOBS_CHANNEL, decodeWakeup, subscribeWakeups, type JobWakeup } from './wakeups.ts';

export type JobContext = {
  /** Aborted when the job is cancelled, its lease is lost, or the runner stops; `signal.reason` says which. */
  signal: AbortSignal;
  /** Renews the lease now; throws JobLeaseLostError when this worker no longer holds the job. */
  heartbeat(): Promise<void>;
};

export type JobHandler = {
  /** Does the job; the value returned is stored as its JSON `result`. May run more than once: see docs/jobs.md. */
  run(job: JobRow, ctx: JobContext): Promise<unknown>;
  /**
   * Called once a worker running this job is found dead (lease expired), before the job is retried or
   * failed: fix the handler's own rows here. The job fails whatever the answer when its attempts are
   * used up (`job.attempts >= job.max_attempts`), and is cancelled when `job.cancel_requested`.
   */
  lost?(job: JobRow): Promise<'retry' | 'fail'>;
};

export type JobHandlers = Record<string, JobHandler>;

export type JobRunnerOptions = {
  db: Kysely<DB>;
  /** For LISTEN on Postgres; without `listen` (PGlite) only in-process wake-ups and the poll remain. */
  database: Pick<Database, 'listen'>;
  log: Logger;
  /** Unique per runner (e.g. `${hostname}:${pid}:${newId('wrk')}`); recorded as the jobs' lease_owner. */
  workerId: string;
  /** Jobs run at once by this runner. */
  concurrency: number;
  /** A job whose lease is not renewed for this long is considered lost. */
  leaseMs: number;
  /** The safety-net poll for ready jobs and expired leases. */
  pollMs: number;
  handlers: JobHandlers;
  /** How long `stop()` lets running jobs finish before aborting them; default 30 s. */
  stopGraceMs?: number;
  /** Delay before the next attempt after a failed one; default 1 s · 2^(attempts−1), at most 5 min. */
  retryDelayMs?: (attempts: number) => number;
};

export type JobRunner = {
  readonly workerId: string;
  /** Starts claiming; once only. */
  start(): void;
  /**
   * Stops claiming, waits up to `stopGraceMs` for running jobs, then aborts the rest (signal reason
   * JobRunnerStoppingError; they go back to the queue with their attempt refunded) and waits for them
   * up to one lease more. A handler that ignores its signal even then is left to lease expiry.
   */
  stop(): Promise<void>;
  /**
   * Stops at once as if the process had died: no more renewals or writes, handlers aborted with
   * JobLeaseLostError and their outcomes discarded. Other runners take the jobs over after their lease.
   */
  abandon(): Promise<void>;
  /** Jobs this runner is running now. */
  readonly active: number;
};

type Run = { job: JobRow; controller: AbortController; done: Promise<void> };

const REAP_BATCH = 10;

export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { db, handlers, leaseMs, concurrency, workerId: owner } = options;
  const log = options.log.child({ worker: owner });
  const retryDelayMs = options.retryDelayMs ?? defaultRetryDelayMs;
  const stopGraceMs = options.stopGraceMs ?? 30_000;
  const kinds = Object.keys(handlers);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be ≥ 1');
  if (!(leaseMs >= 30) || !(options.pollMs >= 1))
    throw new RangeError('leaseMs ≥ 30 and pollMs ≥ 1 are required');

  const runs = new Map<string, Run>(); // by `${id}:${attempts}`
  const corpses = new Map<string, JobRow>(); // expired jobs taken over, while `lost` decides
  const background = new Set<Promise<unknown>>();
  let phase: 'new' | 'running' | 'stopping' | 'abandoned' = 'new';
  let wanted = false;
  let loop: Promise<void> | undefined;
  let reaping = false;
  let renewing: Promise<void> | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let renewTimer: NodeJS.Timeout | undefined;
  let unsubscribe = () => {};
  let stopListening: (() => Promise<void>) | undefined;
  let stopped: Promise<void> | undefined;

  const abandoned = () => phase === 'abandoned';
  const keyOf = (job: { id: string; attempts: number }) => `${job.id}:${job.attempts}`;
  const leaseOf = (job: JobRow): Lease => ({ owner, id: job.id, attempts: job.attempts });
  const track = <T>(promise: Promise<T>): Promise<T> => {
    background.add(promise);
    void promise.finally(() => background.delete(promise)).catch(() => {});
    return promise;
  };

  /**
   * Asks the claim loop to look for ready jobs (coalescing concurrent wake-ups). Bound to the runner's
   * own async context: a job enqueued by a request is not part of that request (its write fence).
   */
  const kick = AsyncResource.bind(() => {
    wanted = true;
    if (phase === 'running' && !loop) loop = claimLoop().finally(() => (loop = undefined));
  });

  async function claimLoop(): Promise<void> {
    while (wanted && phase === 'running') {
      wanted = false;
      const free = concurrency - runs.size;
      if (free <= 0) return; // a finishing run kicks again
      let claimed: JobRow[];
      try {
        claimed = await claimJobs(db, { owner, kinds, limit: free, leaseMs });
      } catch (error) {
        log.error({ err: error }, 'claiming jobs failed; retrying at the next poll');
        return;
      }
      if (abandoned()) return; // as if dead: the claims expire like the rest
      for (const job of claimed) startRun(job);
      if (claimed.length === free) wanted = true; // there may be more
    }
  }

  function startRun(job: JobRow): void {
    const controller = new AbortController();
    const key = keyOf(job);
    const run: Run = { job, controller, done: Promise.resolve() };
    runs.set(key, run);
    run.done = execute(run).finally(() => {
      runs.delete(key);
      kick();
    });
  }

  async function execute({ job, controller }: Run): Promise<void> {
    const handler = handlers[job.kind]!;
    const ctx: JobContext = { signal: controller.signal, heartbeat: () => heartbeat(job, controller) };
    let outcome: JobOutcome | undefined;
    try {
      outcome = successOutcome(await handler.run(job, ctx));
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : undefined;
      outcome = failureOutcome(job, error, reason, retryDelayMs);
      if (outcome?.state === 'queued' || outcome?.state === 'failed')
        log.warn(
          { job: job.id, kind: job.kind, attempts: job.attempts, err: error },
          `job ${outcome.state === 'failed' ? 'failed' : 'will be retried'}`,
        );
    }
    if (outcome === undefined || phase === 'abandoned') return;
    try {
      const written = await finishJob(db, leaseOf(job), outcome);
      if (written === undefined)
        log.warn(
          { job: job.id, kind: job.kind },
          'job lease was lost before it finished; its outcome is discarded',
        );
    } catch (error) {
      log.error(
        { err: error, job: job.id },
        'recording a job outcome failed; the job will be retried after its lease',
      );
    }
  }

  async function heartbeat(job: JobRow, controller: AbortController): Promise<void> {
    if (phase === 'abandoned') throw new JobLeaseLostError(job.id);
    const [row] = await renewLeases(db, owner, [leaseOf(job)], leaseMs);
    if (!row) {
      controller.abort(new JobLeaseLostError(job.id));
      throw controller.signal.reason;
    }
    if (row.cancel_requested && !controller.signal.aborted) controller.abort(new JobCancelledError(job.id));
  }

  /** Renews every lease held, aborting runs whose lease was lost or whose cancel was requested. */
  function renewAll(): Promise<void> {
    if (renewing) return renewing.then(() => renewAll());
    const held = [...[...runs.values()].map((r) => r.job), ...corpses.values()];
    if (held.length === 0 || phase === 'abandoned') return Promise.resolve();
    renewing = (async () => {
      try {
        const renewed = new Map(
          (await renewLeases(db, owner, held.map(leaseOf), leaseMs)).map((r) => [keyOf(r), r]),
        );
        for (const job of held) {
          const run = runs.get(keyOf(job));
          if (!run || run.controller.signal.aborted) continue;
          const row = renewed.get(keyOf(job));
          if (!row) run.controller.abort(new JobLeaseLostError(job.id));
          else if (row.cancel_requested) run.controller.abort(new JobCancelledError(job.id));
        }
      } catch (error) {
        log.error({ err: error }, 'renewing job leases failed');
      } finally {
        renewing = undefined;
      }
    })();
    return renewing;
  }

  /** Takes over jobs whose lease expired and settles each through its kind's `lost`. */
  async function reap(): Promise<void> {
    if (reaping || phase !== 'running') return;
    reaping = true;
    try {
      const expired = await takeOverExpired(db, { owner, kinds, limit: REAP_BATCH, leaseMs });
      // A run of ours that stalled past its lease is alive after all; the takeover renewed it.
      for (const job of expired) if (!runs.has(keyOf(job))) void track(settleLost(job));
    } catch (error) {
      log.error({ err: error }, 'looking for expired job leases failed');
    } finally {
      reaping = false;
    }
  }

  async function settleLost(job: JobRow): Promise<void> {
    const key = keyOf(job);
    corpses.set(key, job);
    try {
      const decision = (await handlers[job.kind]!.lost?.(job)) ?? 'retry';
      const outcome = lostOutcome(job, decision, retryDelayMs);
      if (phase === 'abandoned') return;
      const written = await finishJob(db, leaseOf(job), outcome);
      log.warn({ job: job.id, kind: job.kind, attempts: job.attempts, state: written }, 'job worker lost');
    } catch (error) {
      // Left running: the lease we took expires and a runner tries again.
      log.error(
        { err: error, job: job.id, kind: job.kind },
        `settling a lost job failed: ${errorText(error)}`,
      );
    } finally {
      corpses.delete(key);
    }
  }

  const onWakeup = AsyncResource.bind((wakeup: JobWakeup) => {
    if (wakeup.type === 'ready') {
      if (wakeup.kind === ANY_KIND || kinds.includes(wakeup.kind)) kick();
    } else if ([...runs.values()].some((r) => r.job.id === wakeup.jobId)) {
      void track(renewAll());
    }
  });

  /** Stops claiming: no more polls or wake-ups (lease renewal goes on until `renewTimer` is cleared). */
  async function stopClaiming(): Promise<void> {
    clearInterval(pollTimer);
    unsubscribe();
    await stopListening?.().catch((error) => log.warn({ err: error }, 'stopping LISTEN failed'));
    await loop;
  }

  const settledWithin = async (promises: Promise<unknown>[], ms: number): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const all = Promise.allSettled(promises).then(() => true);
    try {
      return await Promise.race([all, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    workerId: owner,
    get active() {
      return runs.size;
    },
    start() {
      if (phase !== 'new') throw new Error('a job runner starts once');
      phase = 'running';
      unsubscribe = subscribeWakeups(onWakeup);
      stopListening = options.database.listen?.(
        JOBS_CHANNEL,
        (payload) => {
          const wakeup = decodeWakeup(payload);
          if (wakeup) onWakeup(wakeup);
        },
        kick, // (re)connected: wake-ups may have been missed meanwhile
      );
      const tick = () => {
        kick();
        void track(reap());
      };
      pollTimer = setInterval(tick, options.pollMs);
      renewTimer = setInterval(() => void track(renewAll()), Math.max(10, Math.floor(leaseMs / 3)));
      tick();
    },
    stop() {
      if (stopped) return stopped;
      if (phase !== 'running') return (stopped = Promise.resolve());
      phase = 'stopping';
      stopped = (async () => {
        await stopClaiming();
        const pending = () => [...[...runs.values()].map((r) => r.done), ...background];
        if (!(await settledWithin(pending(), stopGraceMs))) {
          for (const run of runs.values()) run.controller.abort(new JobRunnerStoppingError());
          if (!(await settledWithin(pending(), leaseMs)))
            log.warn(
              { jobs: [...runs.values()].map((r) => r.job.id) },
              'jobs ignored their abort; leaving them to lease expiry',
            );
        }
        clearInterval(renewTimer);
        await renewing;
      })();
      return stopped;
    },
    async abandon() {
      phase = 'abandoned';
      clearInterval(renewTimer);
      for (const run of runs.values()) run.controller.abort(new JobLeaseLostError(run.job.id));
      await stopClaiming();
    },
  };
}
