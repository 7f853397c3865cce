/** Kysely row types of the snippet tables (src/db/migrations/0003_snippets.sql). */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { DefaultVisualization, ResultType } from './contract.ts';
import type { InputDescriptor } from './inputs.ts';
import type { RunLogEntry, RunSource, RunState, RunStats, SnippetRunError } from './run-schemas.ts';
import type { DisplayType, Origin, Purpose, Visibility } from './schemas.ts';

type CreatedAt = ColumnType<Date, Date | undefined, never>;
type Timestamp = ColumnType<Date, Date | undefined, Date>;
/** A jsonb column written once, as JSON text, and never updated. */
type ImmutableJson<T> = ColumnType<T, string, never>;

export type SnippetsTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  name: string;
  description: string | null;
  code: string;
  display_type: DisplayType;
  inputs: JSONColumnType<InputDescriptor[]>;
  visibility: Visibility;
  origin: Origin;
  purpose: Purpose;
  agent_session_id: string | null;
  agent_turn_id: string | null;
  result_contract_version: 1 | null;
  result_type: ResultType | null;
  default_visualization: DefaultVisualization | null;
  created_by: string;
  version: Generated<number>;
  created_at: CreatedAt;
  updated_at: Timestamp;
  archived_at: Date | null;
};

/** Runs are immutable: written once, after execution ended. */
export type SnippetRunsTable = {
  seq: Generated<number>;
  id: string;
  workspace_id: string;
  snippet_id: string;
  source: RunSource;
  snippet_name: string;
  snippet_etag: string;
  dashboard_id: string | null;
  dashboard_name: string | null;
  widget_id: string | null;
  widget_title: string | null;
  run_by: string;
  agent_session_id: string | null;
  agent_turn_id: string | null;
  state: RunState;
  inputs: ImmutableJson<Record<string, unknown>>;
  overrides: ImmutableJson<Record<string, unknown>>;
  /** What the snippet returned; NULL when it returned nothing (failed, timed out, undefined). */
  output: ColumnType<unknown, string | null, never>;
  error: ColumnType<SnippetRunError | null, string | null, never>;
  duration_ms: number;
  stats: ImmutableJson<RunStats>;
  logs: ColumnType<RunLogEntry[], string | undefined, never>;
  logs_dropped: ColumnType<number, number | undefined, never>;
  result_contract_version: 1 | null;
  result_type: ResultType | null;
  default_visualization: DefaultVisualization | null;
  version: Generated<number>;
  created_at: CreatedAt;
};

export type SnippetTables = { snippets: SnippetsTable; snippet_runs: SnippetRunsTable };
