/**
 * Set-up shared by the job queue tests: a fresh migrated store (in-memory PGlite, or a new schema of
 * DATABASE_URL) with a workspace; runners that are stopped when the fixture closes; and waiting helpers.
 * On Postgres `connect()` opens another pool on the same schema, as another process would have.
 */
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { openDatabase, type Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { eventually } from '../testing/eventually.ts';
import type { DB } from '../db/schema.ts';
import { openTestDatabase, testPostgresUrl } from '../testing/harness.ts';
import { createWorkspaceRecord } from '../platform/workspaces/service.ts';
import { jobStatus } from './queue.ts';
import { createJobRunner, type JobRunner, type JobRunnerOptions } from './runner.ts';
import type { JobRow, JobState } from './tables.ts';

export type RunnerOverrides = Partial<Omit<JobRunnerOptions, 'handlers'>> &
  Pick<JobRunnerOptions, 'handlers'> & { on?: Database };

export type JobsFixture = {
  database: Database;
  db: Kysely<DB>;
  workspaceId: string;
  /** Postgres URL and schema of the store, when it is Postgres. */
  postgres?: { url: string; schema: string };
  /** Another connection pool to the same store on Postgres; the same Database on PGlite. */
  connect(): Promise<Database>;
  /** A started runner (fast test timings unless overridden), stopped when the fixture closes. */
  runner(options: RunnerOverrides): JobRunner;
  close(): Promise<void>;
};

let runnerCount = 0;

export async function openJobsFixture(): Promise<JobsFixture> {
  const { database, drop, schema } = await openTestDatabase();
  await migrate(database);
  const ws = await createWorkspaceRecord(database.db, {
    name: 'jobs',
    slug: undefined,
    createdBy: 'test',
    member: undefined,
  });
  const url = testPostgresUrl();
  const postgres = url && schema ? { url, schema } : undefined;
  const extra: Database[] = [];
  const runners: JobRunner[] = [];
  return {
    database,
    db: database.db,
    workspaceId: ws.id,
    ...(postgres ? { postgres } : {}),
    async connect() {
      if (!postgres) return database;
      const other = await openDatabase({
        kind: 'postgres',
        url: postgres.url,
        poolSize: 5,
        schema: postgres.schema,
      });
      extra.push(other);
      return other;
    },
    runner({ on = database, ...options }) {
      const runner = createJobRunner({
        db: on.db,
        database: on,
        log: pino({ level: 'silent' }),
        workerId: `test-runner-${++runnerCount}`,
        concurrency: 2,
        leaseMs: 2000,
        pollMs: 50,
        stopGraceMs: 2000,
        retryDelayMs: () => 20,
        ...options,
      });
      runners.push(runner);
      runner.start();
      return runner;
    },
    async close() {
      await Promise.all(runners.map((r) => r.stop()));
      for (const other of extra) await other.close();
      await drop();
    },
  };
}

/** Waits until the job is in one of `states`, and returns it. */
export function waitForJob(
  db: Kysely<DB>,
  id: string,
  states: readonly JobState[],
  timeoutMs?: number,
): Promise<JobRow> {
  return eventually(
    async () => {
      const job = await jobStatus(db, id);
      assert.ok(job, 'no such job');
      assert.ok(states.includes(job.state), `the job is ${job.state}`);
      return job;
    },
    { timeoutMs, intervalMs: 10, message: `job ${id} to be ${states.join(' or ')}` },
  );
}

/** Settles when `signal` aborts, rejecting with its reason (a handler that waits to be stopped). */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
