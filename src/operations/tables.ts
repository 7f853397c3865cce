/** Kysely row type of the operations table (src/db/migrations/0002_operations.sql). */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { OperationMetadata, SuccessResponse } from './kinds.ts';

export type OperationState = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export type OperationsTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string | null;
  owner_type: string;
  owner_id: string;
  parent_operation_id: string | null;
  state: OperationState;
  metadata: JSONColumnType<OperationMetadata>;
  response: JSONColumnType<SuccessResponse | null, string | null, string | null>;
  error: JSONColumnType<{ message: string } | null, string | null, string | null>;
  last_error: JSONColumnType<{ message: string; step_name?: string } | null, string | null, string | null>;
  steps: ColumnType<unknown[], string | undefined, string>;
  started_at: ColumnType<Date, Date | undefined, never>;
  completed_at: Date | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  /** The job doing the work, when a job does it (migration 0006); inserts may leave it out. */
  job_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Who started it, where that matters after its workspace is gone (migration 0010). */
  started_by: ColumnType<string | null, string | null | undefined, never>;
};

export type OperationTables = { operations: OperationsTable };
