/** Kysely row type of the durable job queue (src/db/migrations/0005_jobs.sql); see docs/jobs.md. */
import type { ColumnType, Generated, Selectable } from 'kysely';

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
/** queued → running → succeeded | failed | cancelled, or back to queued for a retry. */
export type JobState = (typeof JOB_STATES)[number];

export type JobsTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  kind: string;
  /** Written as JSON text, read back parsed. */
  payload: ColumnType<unknown, string, never>;
  serial_key: string | null;
  state: ColumnType<JobState, JobState | undefined, JobState>;
  /** Claims so far, counting the one running now. */
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: ColumnType<number, number | undefined, never>;
  run_after: ColumnType<Date, Date | undefined, Date>;
  /** The worker holding (while running) or that last held the job. */
  lease_owner: string | null;
  lease_until: Date | null;
  cancel_requested: ColumnType<boolean, boolean | undefined, boolean>;
  last_error: string | null;
  result: ColumnType<unknown, string | null | undefined, string | null>;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  finished_at: Date | null;
};

export type JobTables = { jobs: JobsTable };

/** A job as stored: what `enqueue` returns, handlers receive and `jobStatus` reports. */
export type JobRow = Selectable<JobsTable>;
