/**
 * The composition root: opens the store, applies migrations, bootstraps an empty store, wires every
 * domain's services into the HTTP app and starts background work. `atoll serve` and the tests both go
 * through `createAtoll`, so tests exercise exactly what runs in production.
 */
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
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
import { platformModule } from './platform/module.ts';
import { createTokenCache } from './platform/token-cache.ts';
import { createEventBus } from './events/bus.ts';
import { createEventLog, type EventLog } from './events/log.ts';
import { agentsModule, lookupAgentTurn } from './agents/module.ts';
import { createAnnouncer } from './events/announce.ts';
import { eventsModule } from './events/module.ts';
import { createExecutor, type Executor } from './isolate/executor.ts';
import { snippetsModule } from './snippets/module.ts';
import { createGitStore } from './git/store.ts';
import { installsModule } from './installs/module.ts';
import { purgeFinishedJobs } from './jobs/queue.ts';
import { createJobRunner, type JobRunner } from './jobs/runner.ts';
import { operationsModule } from './operations/module.ts';
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
  /** The job runner (role all|worker); undefined in an api-only process. */
  jobs: JobRunner | undefined;
  /** Stops background work and closes the store. */
  close(): Promise<void>;
};

const SWEEP_INTERVAL_MS = 10 * 60_000;
const EXPIRY_INTERVAL_MS = 60_000;

/** How the config selects the store: Postgres when DATABASE_URL is set, else PGlite under DATA_DIR. */
export function storeOptions(config: Config): DatabaseOptions {
  return config.databaseUrl
    ? { kind: 'postgres', url: config.databaseUrl, poolSize: config.dbPoolSize }
    : { kind: 'pglite', dataDir: path.join(config.dataDir, 'pglite') };
}

export async function createAtoll(
  config: Config,
  options: { log: Logger; role?: Role; database?: Database },
): Promise<Atoll> {
  const { log } = options;
  const role = options.role ?? 'all';
  const database = options.database ?? (await openDatabase(storeOptions(config)));
  const timers: NodeJS.Timeout[] = [];
  const closers: Array<() => Promise<void>> = [];
  let executor: Executor | undefined;
  try {
    const applied = await migrate(database);
    if (applied.length > 0)
      log.info({ migrations: applied.map((m) => `${m.version}_${m.name}`) }, 'applied migrations');
    const db = database.db;
    const boot = await bootstrap(db, { dataDir: config.dataDir, token: config.bootstrapToken });
    const idempotency = createIdempotencyStore(db, config.idempotencyTtlSeconds);
    // Only the embedded store guarantees that this process sees every token revocation.
    const tokenCache = createTokenCache(database.kind === 'pglite');
    const platform = platformModule({ db, publicUrl: config.publicUrl, tokenCache });
    const bus = createEventBus(database, log);
    closers.push(() => bus.close());
    // Postgres wakes other processes with a NOTIFY sent at commit; the embedded store is one process.
    const eventLog = createEventLog(db, bus, { notify: database.kind === 'postgres' });
    // platform.request() goes through the app itself, which is built below.
    const running = createExecutor(config.executor, { log, fetch: async (request) => app.fetch(request) });
    executor = running;
    const snippets = snippetsModule({
      db,
      publicUrl: config.publicUrl,
      executor: running,
      agentTurns: lookupAgentTurn(db),
      announce: createAnnouncer(eventLog),
    });
    const agents = agentsModule({ db, publicUrl: config.publicUrl, eventLog });
    const events = eventsModule({
      db,
      eventLog,
      log,
      settings: config.sse,
    });
    const authenticator = createAuthenticator({ db, jwt: config.jwt, log, tokenCache });
    const operations = operationsModule({ db, database, publicUrl: config.publicUrl, log });
    closers.push(() => operations.close());
    const installs = installsModule({
      db,
      log,
      publicUrl: config.publicUrl,
      git: createGitStore({ root: path.join(config.dataDir, 'git') }),
      executor: running,
      authenticator,
      operations,
      renderLimits: config.render,
    });
    const app: ApiApp = createApp({
      database,
      log,
      authenticator,
      idempotency,
      maxBodyBytes: config.maxBodyBytes,
      publicUrl: config.publicUrl,
      version: VERSION,
      domains: [platform, snippets, agents, events, operations, installs],
    });
    let jobs: JobRunner | undefined;
    if (role !== 'api') {
      const sweep = () =>
        idempotency
          .sweep()
          .then((n) => n > 0 && log.debug({ removed: n }, 'swept expired idempotency keys'))
          .catch((error) => log.warn({ err: error }, 'idempotency sweep failed'));
      timers.push(setInterval(sweep, SWEEP_INTERVAL_MS).unref());
      const purgeJobs = () =>
        purgeFinishedJobs(db)
          .then((n) => n > 0 && log.debug({ removed: n }, 'purged finished jobs'))
          .catch((error) => log.warn({ err: error }, 'purging finished jobs failed'));
      timers.push(setInterval(purgeJobs, SWEEP_INTERVAL_MS).unref());
      const expire = () =>
        installs
          .expireChangeRequests()
          .then((n) => n > 0 && log.info({ expired: n }, 'expired repository change requests'))
          .catch((error) => log.warn({ err: error }, 'expiring change requests failed'));
      timers.push(setInterval(expire, EXPIRY_INTERVAL_MS).unref());
      if (database.kind === 'pglite') {
        // The embedded store belongs to this one process: a job still `running` was left by a previous
        // process that died, so its lease is over now rather than after ATOLL_JOB_LEASE_MS.
        await sql`UPDATE jobs SET lease_until = now() WHERE state = 'running'`.execute(db);
      }
      jobs = createJobRunner({
        db,
        database,
        log,
        workerId: `${os.hostname()}:${process.pid}:${newId('wrk')}`,
        concurrency: config.jobs.concurrency,
        leaseMs: config.jobs.leaseMs,
        pollMs: config.jobs.pollMs,
        handlers: { ...installs.jobHandlers },
      });
      jobs.start();
    }
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
      jobs,
      async close() {
        for (const t of timers) clearInterval(t);
        // The job runner stops first (its jobs use the executor and the store).
        if (jobs) await jobs.stop();
        await running.close();
        for (const close of closers) await close();
        if (!options.database) await database.close();
      },
    };
  } catch (error) {
    await executor?.close().catch(() => {});
    for (const close of closers) await close().catch(() => {});
    if (!options.database) await database.close().catch(() => {});
    throw error;
  }
}
