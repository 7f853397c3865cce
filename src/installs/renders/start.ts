/**
 * Starting a render: a `running` render row, the operation that reports on it (a new install.render
 * one unless the caller's operation covers it) and the durable job that carries it out, written in the
 * caller's transaction so that either all three exist or none does. Renders of one install share a
 * serial key: the queue runs them one at a time, oldest first.
 */
import type { Kysely } from 'kysely';
import { newId } from '../../db/ids.ts';
import type { DB } from '../../db/schema.ts';
import type { OperationStep } from '../../operations/schemas.ts';
import { pendingStep } from '../../operations/steps.ts';
import { insertOperation, setOperationJob, type OperationRow } from '../../operations/store.ts';
import { renderJob } from '../jobs.ts';
import type { RenderRow } from '../store.ts';
import { insertRender } from './store.ts';

export const RENDER_ATTEMPTS = 5;

export function renderSerialKey(installId: string): string {
  return `install:${installId}`;
}

export type StartRender = {
  workspaceId: string;
  installId: string;
  createdBy: string;
  packageVersionId: string;
  inputValues: Record<string, unknown>;
  message: string | null;
  skipUnchanged: boolean;
  extraAnnotations: Record<string, string>;
  restoredFromRenderId?: string | null;
  changeRequestId?: string | null;
  /** An operation that already reports on this work (install.create, a change request's accept). */
  operationId?: string;
};

/** The steps a render's operation shows; the worker moves them along. */
export function renderSteps(now: Date): OperationStep[] {
  return [pendingStep({ name: 'render' }, now), pendingStep({ name: 'commit' }, now)];
}

export async function startRender(
  trx: Kysely<DB>,
  input: StartRender,
): Promise<{ render: RenderRow; operation: OperationRow | undefined }> {
  const renderId = newId('rnd');
  let operation: OperationRow | undefined;
  let operationId = input.operationId;
  if (!operationId) {
    operation = await insertOperation(trx, {
      workspaceId: input.workspaceId,
      ownerType: 'install',
      ownerId: input.installId,
      state: 'RUNNING',
      metadata: { type: 'install.render', install_id: input.installId },
      steps: renderSteps(new Date()),
    });
    operationId = operation.id;
  }
  const job = await renderJob.enqueue(
    trx,
    { render_id: renderId },
    {
      workspaceId: input.workspaceId,
      serialKey: renderSerialKey(input.installId),
      maxAttempts: RENDER_ATTEMPTS,
    },
  );
  await setOperationJob(trx, operationId, job.id);
  const render = await insertRender(trx, {
    id: renderId,
    workspace_id: input.workspaceId,
    install_id: input.installId,
    operation_id: operationId,
    job_id: job.id,
    repository_change_request_id: input.changeRequestId ?? null,
    package_version_id: input.packageVersionId,
    restored_from_render_id: input.restoredFromRenderId ?? null,
    message: input.message,
    skip_unchanged: input.skipUnchanged,
    extra_annotations: JSON.stringify(input.extraAnnotations),
    input_values: JSON.stringify(input.inputValues),
    created_by: input.createdBy,
  });
  return { render, operation: operation ? { ...operation, job_id: job.id } : undefined };
}
