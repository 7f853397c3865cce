/**
 * Recording a finished run together with what it tells people: a run that failed or timed out notifies
 * the subject who ran it, in the transaction that records the run (src/notifications/port.ts).
 */
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import { notify } from '../notifications/port.ts';
import { recordRun, type NewSnippetRun, type SnippetRunRow } from './store.ts';

/** Records the run in `trx`; when it did not succeed, notifies who ran it in the same transaction. */
export async function recordRunAndNotify(trx: Transaction<DB>, run: NewSnippetRun): Promise<SnippetRunRow> {
  const row = await recordRun(trx, run);
  if (row.state === 'succeeded') return row;
  await notify(trx, {
    workspaceId: row.workspace_id,
    type: 'snippet_run_failed',
    resourceId: row.id,
    title:
      row.state === 'timed_out'
        ? `Snippet "${row.snippet_name}" timed out`
        : `Snippet "${row.snippet_name}" failed`,
    body: row.error ? `${row.error.code}: ${row.error.message}` : null,
    severity: 'warning',
    context: {
      snippet_id: row.snippet_id,
      state: row.state,
      error_code: row.error?.code,
      agent_turn_id: row.agent_turn_id,
      dashboard_id: row.dashboard_id,
    },
    subjects: [row.run_by],
    members: false,
  });
  return row;
}
