/** Row → resource mappers of snippets and their runs (`to<Resource>`). */
import { unixSeconds, unixSecondsOrNull } from '../db/time.ts';
import { etagOf } from '../http/etag.ts';
import { contractFields } from './contract.ts';
import type { RunView, SnippetRun } from './run-schemas.ts';
import type { Snippet } from './schemas.ts';
import type { SnippetRow, SnippetRunRow } from './store.ts';

/** The wire form of a snippet. */
export function toSnippet(row: SnippetRow, publicUrl: string): Snippet {
  return {
    id: row.id,
    html_url: `${publicUrl}/dashboards/snippets/${row.id}`,
    name: row.name,
    description: row.description,
    code: row.code,
    display_type: row.display_type,
    inputs: row.inputs,
    visibility: row.visibility,
    origin: row.origin,
    agent_session_id: row.agent_session_id,
    agent_turn_id: row.agent_turn_id,
    purpose: row.purpose,
    workspace_id: row.workspace_id,
    created_by: row.created_by,
    created_at: unixSeconds(row.created_at),
    updated_at: unixSeconds(row.updated_at),
    archived_at: unixSecondsOrNull(row.archived_at),
    etag: etagOf(row.version),
    ...contractFields(row),
  };
}

/**
 * The wire form of a run. `basic` leaves out output and error; `full` has `output` (null when the run
 * returned nothing) and `error` when the run failed (the spec's error object is not nullable).
 */
export function toSnippetRun(row: SnippetRunRow, view: RunView): SnippetRun {
  const run = {
    id: row.id,
    snippet_id: row.snippet_id,
    source: row.source,
    snippet_name: row.snippet_name,
    snippet_etag: row.snippet_etag,
    dashboard_id: row.dashboard_id,
    dashboard_name: row.dashboard_name,
    widget_id: row.widget_id,
    widget_title: row.widget_title,
    run_by: row.run_by,
    agent_session_id: row.agent_session_id,
    agent_turn_id: row.agent_turn_id,
    state: row.state,
    inputs: row.inputs,
    overrides: row.overrides,
    duration_ms: row.duration_ms,
    stats: row.stats,
    created_at: unixSeconds(row.created_at),
    etag: etagOf(row.version),
    ...contractFields(row),
  };
  if (view === 'basic') return run;
  // The executor checked a contract run's output against its result type before recording it.
  return {
    ...run,
    output: row.output ?? null,
    ...(row.error ? { error: row.error } : {}),
    logs: row.logs,
    logs_dropped: row.logs_dropped,
  } as SnippetRun;
}
