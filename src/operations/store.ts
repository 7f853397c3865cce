/** SQL for operations, and their wire form. */
import type { Insertable, Kysely, Selectable } from 'kysely';
import { newId } from '../db/ids.ts';
import { unixSeconds, unixSecondsOrNull } from '../db/time.ts';
import type { DB } from '../db/schema.ts';
import type { Operation, OperationStep, OwnerType } from './schemas.ts';
import type { OperationState, OperationsTable } from './tables.ts';

export type OperationRow = Selectable<OperationsTable>;

export type NewOperation = {
  workspaceId: string | null;
  ownerType: OwnerType;
  ownerId: string;
  state: OperationState;
  metadata: Record<string, unknown>;
  response?: Record<string, unknown> | null;
  error?: { message: string } | null;
  steps?: OperationStep[];
  parentOperationId?: string | null;
};

export async function insertOperation(db: Kysely<DB>, op: NewOperation): Promise<OperationRow> {
  const terminal = op.state !== 'RUNNING';
  const row: Insertable<OperationsTable> = {
    id: newId('op'),
    workspace_id: op.workspaceId,
    owner_type: op.ownerType,
    owner_id: op.ownerId,
    parent_operation_id: op.parentOperationId ?? null,
    state: op.state,
    metadata: JSON.stringify(op.metadata),
    response: op.response ? JSON.stringify(op.response) : null,
    error: op.error ? JSON.stringify(op.error) : null,
    steps: JSON.stringify(op.steps ?? []),
    completed_at: terminal ? new Date() : null,
  };
  return db.insertInto('operations').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findOperation(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
): Promise<OperationRow | undefined> {
  return db
    .selectFrom('operations')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The wire form of an operation row. */
export function toOperation(row: OperationRow, publicUrl: string): Operation {
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
    steps: row.steps as OperationStep[],
  };
}
