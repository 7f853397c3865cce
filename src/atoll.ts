/**
 * The composition root: opens the store, applies migrations, bootstraps an empty store, builds every
 * family's module (src/module.ts) and then goes through the list: their routes into the HTTP app, their
 * jobs into the two job runners, their periodic tasks onto timers, their close at the end. `atoll serve`
 * and the tests both go through `createAtoll`, so tests exercise exactly what runs in production.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { newId } from './db/ids.ts';
import type { Config } from './config.ts';
import { openDatabase, type Database, type DatabaseOptions } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { createApp } from './http/app.ts';
import type { ApiApp } from './http/context.ts';
import { createIdempotencyStore } from './http/idempotency-store.ts';
import { createAuthenticator } from './platform/authenticator.ts';
import { bootstrap, type BootstrapResult } from './platform/bootstrap.ts';
import { limitsModule } from './platform/limits.ts';
import { platformModule } from './platform/module.ts';
import { createTokenCache } from './platform/token-cache.ts';
import { createTurnTokens, turnTokenKey } from './platform/turn-tokens.ts';
import { createEventBus } from './events/bus.ts';
import { createEventLog, type EventLog } from './events/log.ts';
import { agentsModule, agentsPort, lookupAgentSession, lookupAgentTurn } from './agents/module.ts';
import { createAnnouncer } from './events/announce.ts';
import { eventsModule } from './events/module.ts';
import { catalogModule } from './catalog/module.ts';
import { dashboardsModule, dashboardsOfSnippets, metricSources } from './dashboards/module.ts';
import { createExecutor, type Executor } from './isolate/executor.ts';
import { snippetsModule } from './snippets/module.ts';
import { createGitStore } from './git/store.ts';
import { consoleBuildStatus } from './console/build.ts';
import { createConsoleSite } from './console/site.ts';
import { installsModule } from './installs/module.ts';
import { purgeFinishedJobsTask } from './jobs/housekeeping.ts';
import { jobHandlers } from './jobs/registry.ts';
import { expireRunningLeases } from './jobs/store.ts';
import { createJobRunner, type JobRunner } from './jobs/runner.ts';
import { operationsModule } from './operations/module.ts';
import { notificationsModule } from './notifications/module.ts';
import { deploymentsModule } from './deployments/module.ts';
import { loadEnvKey } from './lib/seal.ts';
import { createTurnRunHooks } from './deployments/turns/hooks.ts';
import { createTurnRuntime, turnRunActive } from './deployments/turns/runtime.ts';
import { createBwrapDriver } from './sandbox/bwrap.ts';
import { findHelm } from './lib/helm-binary.ts';
import { jobsFor, startPeriodic, type AtollModule, type PeriodicTimers } from './module.ts';
import { VERSION } from './version.ts';

export type Role = 'all' | 'api' | 'worker';

export type Atoll = {
  app: ApiApp;
  database: Database;
  bootstrap: BootstrapResult;
  platform: ReturnType<typeof platformModule>;
  snippets: ReturnType<typeof snippetsModule>;
  executor: Executor;
  /** The agent event log (tests append through it as the emit path does). */
  agents: ReturnType<typeof agentsModule>;
  events: { log: EventLog; module: ReturnType<typeof eventsModule> };
  operations: ReturnType<typeof operationsModule>;
  installs: ReturnType<typeof installsModule>;
  deployments: ReturnType<typeof deploymentsModule>;
  /** The job runner (role all|worker); undefined in an api-only process. */
  jobs: JobRunner | undefined;
  /** The runner of agent runs and services (one job per sandbox); undefined in an api-only process. */
  agentJobs: JobRunner | undefined;
  /** Starts background work (job runners, sweepers) when created with `start: false`; once only. */
  start(): Promise<void>;
  /**
   * The first step of a graceful stop: open event and log streams end with a final `shutdown` frame,
   * and the job runners stop claiming and give running jobs their grace (ATOLL_SHUTDOWN_GRACE_MS; agent
   * runs and services at most 5 s) before aborting them. Resolves when background work has stopped.
   */
  drain(): Promise<void>;
  /** Drains (if not done yet), then closes the executors and the store. */
  close(): Promise<void>;
};

/** How often expired idempotency keys are deleted. */
const SWEEP_INTERVAL_MS = 10 * 60_000;

/** Host uids of `helm template` sandboxes (the deployments driver's start at 200000; each range is 65536). */
const RENDER_SANDBOX_UID_BASE = 300_000;
/**
 * On shutdown, agent runs and services get this long (or ATOLL_SHUTDOWN_GRACE_MS when shorter) before
 * their sandboxes are killed: they rarely end on their own, and they end failed either way.
 */
const AGENT_STOP_GRACE_MS = 5_000;

/**
 * Where sandboxes live: DATA_DIR/sandboxes. Sandbox uids must be able to traverse DATA_DIR (not list
 * it), so a DATA_DIR an older build made 0700 gets o+x added (docs/sandbox.md).
 */
function sandboxRoot(dataDir: string, log: Logger): string {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o711 });
  const stat = fs.statSync(dataDir);
  if ((stat.mode & 0o001) === 0 && stat.uid === process.getuid?.()) {
    fs.chmodSync(dataDir, (stat.mode & 0o777) | 0o011);
    log.info({ dataDir }, 'made DATA_DIR traversable (o+x) for sandbox users; its contents keep their modes');
  }
  return path.join(dataDir, 'sandboxes');
}

/** How the config selects the store: Postgres when DATABASE_URL is set, else PGlite under DATA_DIR. */
export function storeOptions(config: Config): DatabaseOptions {
  return config.databaseUrl
    ? { kind: 'postgres', url: config.databaseUrl, poolSize: config.dbPoolSize }
    : { kind: 'pglite', dataDir: path.join(config.dataDir, 'pglite') };
}

export async function createAtoll(
  config: Config,
  options: {
    log: Logger;
    role?: Role;
    database?: Database;
    /** false: leave background work to `start()` (`atoll serve` listens first). Default true. */
    start?: boolean;
  },
): Promise<Atoll> {
  const { log } = options;
  const role = options.role ?? 'all';
  const database = options.database ?? (await openDatabase(storeOptions(config)));
  const closers: Array<() => Promise<void>> = [];
  /** Every module built so far, closed in this order (also when construction fails half-way). */
  const built: AtollModule[] = [];
  const own = <M extends AtollModule>(module: M): M => (built.push(module), module);
  let timers: PeriodicTimers | undefined;
  // Aborted by drain(): streams end with a final frame instead of holding the shutdown open.
  const stopping = new AbortController();
  let executor: Executor | undefined;
  try {
    const applied = await migrate(database);
    if (applied.length > 0)
      log.info({ migrations: applied.map((m) => `${m.version}_${m.name}`) }, 'applied migrations');
    const db = database.db;
    const boot = await bootstrap(db, { dataDir: config.dataDir, token: config.bootstrapToken });
    const idempotency = createIdempotencyStore(db, {
      ttlSeconds: config.idempotencyTtlSeconds,
      owner: `${os.hostname()}:${process.pid}:${newId('inst')}`,
      log,
    });
    const idempotencyModule: AtollModule = own({
      name: 'idempotency',
      periodic: [
        {
          name: 'idempotency sweep',
          everyMs: SWEEP_INTERVAL_MS,
          async run() {
            const removed = await idempotency.sweep();
            if (removed > 0) log.debug({ removed }, 'swept expired idempotency keys');
          },
        },
      ],
      close: async () => idempotency.close(),
    });
    // The embedded store belongs to this one process: a claim still in flight was left by a previous
    // process that died, so a retry may take it over at once (docs/api-conventions.md).
    if (database.kind === 'pglite') await idempotency.expireClaims();
    // Only the embedded store guarantees that this process sees every token revocation.
    const tokenCache = createTokenCache(database.kind === 'pglite');
    const platform = own(platformModule({ db, publicUrl: config.publicUrl, tokenCache }));
    const bus = createEventBus(database, log);
    closers.push(() => bus.close());
    // Postgres wakes other processes with a NOTIFY sent at commit; the embedded store is one process.
    const eventLog = createEventLog(db, bus, { notify: database.kind === 'postgres' });
    // What the event log asks of the agents family (turn locks, sessions, the approval notice).
    const agentsOfEvents = agentsPort(db);
    // platform.request() goes through the app itself, which is built below.
    const running = createExecutor(config.executor, {
      log,
      fetch: async (request, bindings) => app.fetch(request, bindings),
      preflight: (request, lineage, workspaceId) => snippets.preflight(request, lineage, workspaceId),
    });
    executor = running;
    const snippets = own(
      snippetsModule({
        db,
        publicUrl: config.publicUrl,
        dashboards: dashboardsOfSnippets(db),
        executor: running,
        agentTurns: lookupAgentTurn(db),
        agentSessions: lookupAgentSession(db),
        announce: createAnnouncer(eventLog, agentsOfEvents),
        nesting: config.executor.nesting,
      }),
    );
    const envKey = loadEnvKey(config.agents.envKey, config.dataDir);
    // Turn tokens let a deployment runtime's run emit into its turn (docs/agents.md "Deployment runtimes").
    const turnTokens = createTurnTokens(turnTokenKey(envKey));
    // Runs of turns get a turn token and an API socket into this app, and report into their turns.
    const turnHooks = createTurnRunHooks({
      db,
      eventLog,
      tokens: turnTokens,
      fetch: (r) => app.fetch(r),
      log,
    });
    closers.push(() => turnHooks.close());
    const deployments = own(
      deploymentsModule({
        db,
        log,
        publicUrl: config.publicUrl,
        driver: createBwrapDriver({ root: sandboxRoot(config.dataDir, log), log }),
        envKey,
        settings: config.agents,
        hooks: { env: turnHooks.env, started: turnHooks.started, ended: turnHooks.ended },
        stopping: stopping.signal,
      }),
    );
    const agents = own(
      agentsModule({
        db,
        publicUrl: config.publicUrl,
        eventLog,
        runtime: createTurnRuntime({ db, runs: deployments.runs, log }),
      }),
    );
    const events = own(
      eventsModule({
        db,
        eventLog,
        agents: agentsOfEvents,
        log,
        settings: config.sse,
        stopping: stopping.signal,
      }),
    );
    const authenticator = createAuthenticator({
      db,
      jwt: config.jwt,
      log,
      tokenCache,
      turns: { tokens: turnTokens, active: (claims) => turnRunActive(db, claims) },
    });
    const operations = own(operationsModule({ db, database, publicUrl: config.publicUrl, log }));
    const installs = own(
      installsModule({
        db,
        log,
        publicUrl: config.publicUrl,
        git: createGitStore({ root: path.join(config.dataDir, 'git') }),
        executor: running,
        authenticator,
        operations,
        renderLimits: config.render,
        envKey,
        helm: {
          // Its own root and uid range: the deployments driver's sweeper removes sandboxes it does not know.
          driver: createBwrapDriver({
            root: path.join(config.dataDir, 'render-sandboxes'),
            uidBase: RENDER_SANDBOX_UID_BASE,
            log,
          }),
          findHelm: () => findHelm({ ATOLL_HELM: config.helm.path, PATH: config.helm.searchPath }),
          plainHttp: config.helm.plainHttp,
          chartMaxBytes: config.helm.chartMaxBytes,
        },
      }),
    );
    const notifications = own(notificationsModule({ db }));
    const dashboards = own(
      dashboardsModule({
        db,
        publicUrl: config.publicUrl,
        // Widget results are real snippet runs (dashboards/results.ts).
        runner: {
          run: (ctx, snippetId, body, labels) => snippets.execution.run(ctx, snippetId, body, labels),
          getRun: (workspaceId, runId) => snippets.snippets.findRun(workspaceId, runId),
        },
        metrics: metricSources(db, config.agents.capacity),
      }),
    );
    const catalog = own(catalogModule());
    const jobsHousekeeping = own({ name: 'jobs', periodic: [purgeFinishedJobsTask({ db, log })] });
    const limits = own(
      limitsModule({
        db,
        settings: { executor: config.executor, render: config.render, agents: config.agents },
        executions: running.pool,
        nested: snippets.nesting,
      }),
    );
    /** In route order (Hono takes the first match). */
    const modules: AtollModule[] = [
      platform,
      snippets,
      dashboards,
      agents,
      events,
      operations,
      installs,
      deployments,
      notifications,
      catalog,
      limits,
      jobsHousekeeping,
      idempotencyModule,
    ];
    const app: ApiApp = createApp({
      database,
      log,
      authenticator,
      idempotency,
      maxBodyBytes: config.maxBodyBytes,
      publicUrl: config.publicUrl,
      version: VERSION,
      stopping: stopping.signal,
      domains: modules.flatMap((m) => (m.routes ? [{ register: (a: ApiApp) => m.routes!(a) }] : [])),
      site: createConsoleSite({ pending: consoleBuildStatus }),
    });
    let jobs: JobRunner | undefined;
    let agentJobs: JobRunner | undefined;
    let startWork = async () => {};
    if (role !== 'api') {
      const renderRunner = createJobRunner({
        db,
        database,
        log,
        workerId: `${os.hostname()}:${process.pid}:${newId('wrk')}`,
        concurrency: config.jobs.concurrency,
        leaseMs: config.jobs.leaseMs,
        pollMs: config.jobs.pollMs,
        stopGraceMs: config.shutdownGraceMs,
        handlers: jobHandlers(jobsFor(modules, 'default')),
      });
      // Agent runs hold a job for as long as their sandbox lives, so they get their own runner, sized
      // to the sandbox capacity, and cannot starve renders (or be starved by them).
      const agentRunner = createJobRunner({
        db,
        database,
        log,
        workerId: `${os.hostname()}:${process.pid}:${newId('wrk')}`,
        concurrency: config.agents.capacity,
        leaseMs: config.jobs.leaseMs,
        pollMs: config.jobs.pollMs,
        stopGraceMs: Math.min(AGENT_STOP_GRACE_MS, config.shutdownGraceMs),
        handlers: jobHandlers(jobsFor(modules, 'sandbox')),
      });
      [jobs, agentJobs] = [renderRunner, agentRunner];
      startWork = async () => {
        if (stopping.signal.aborted) return;
        timers = startPeriodic(
          modules.flatMap((m) => m.periodic ?? []),
          log,
        );
        if (database.kind === 'pglite') {
          // The embedded store belongs to this one process: a job still `running` was left by a previous
          // process that died, so its lease is over now rather than after ATOLL_JOB_LEASE_MS.
          await expireRunningLeases(db);
        }
        renderRunner.start();
        // Start-up work (sandboxes a crash left behind) is done before the sandbox runner starts.
        for (const m of modules) await m.start?.();
        if (stopping.signal.aborted) return; // stopped while modules started
        agentRunner.start();
      };
    }
    let started: Promise<void> | undefined;
    const start = () => (started ??= startWork());
    if (options.start !== false) await start();
    let drained: Promise<void> | undefined;
    const drain = () =>
      (drained ??= (async () => {
        stopping.abort();
        await started?.catch(() => {});
        timers?.stop();
        // Both runners stop claiming at once and share the grace; neither waits for the other.
        await Promise.all([jobs?.stop(), agentJobs?.stop()]);
      })());
    return {
      app,
      database,
      bootstrap: boot,
      platform,
      snippets,
      executor: running,
      agents,
      events: { log: eventLog, module: events },
      operations,
      installs,
      deployments,
      jobs,
      agentJobs,
      start,
      drain,
      async close() {
        // The job runners stop first (their jobs use the executor and the store).
        await drain();
        await running.close();
        for (const close of closers) await close();
        for (const m of built) await m.close?.();
        if (!options.database) await database.close();
      },
    };
  } catch (error) {
    await executor?.close().catch(() => {});
    for (const close of closers) await close().catch(() => {});
    for (const m of built) await m.close?.().catch(() => {});
    if (!options.database) await database.close().catch(() => {});
    throw error;
  }
}
