/** Row → resource mappers of operations (`to<Resource>`). */
import { unixSeconds, unixSecondsOrNull } from '../db/time.ts';
import type { Operation, OperationStep, OwnerType } from './schemas.ts';
import type { OperationRow } from './store.ts';

/** The wire form of an operation row, with its steps. */
export function toOperation(row: OperationRow, publicUrl: string): Operation {
  return { ...toOperationSummary(row, publicUrl), steps: row.steps as OperationStep[] };
}

/** The wire form without per-step detail, as lists serve it. */
export function toOperationSummary(row: OperationRow, publicUrl: string): Operation {
  return {
    id: row.id,
    workspace_id: row.workspace_id,
    organization_id: null,
    owner_type: row.owner_type as OwnerType,
    owner_id: row.owner_id,
    parent_operation_id: row.parent_operation_id,
    state: row.state,
    done: row.state !== 'RUNNING',
    html_url: `${publicUrl}/operations/${row.id}`,
    metadata: row.metadata,
    response: row.response,
    error: row.error,
    last_error: row.last_error,
    started_at: unixSeconds(row.started_at),
    completed_at: unixSecondsOrNull(row.completed_at),
  };
}
