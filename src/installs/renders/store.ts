/**
 * State changes of renders, one named change per function: started (with its job), skipped without
 * the queue, its commit begun, waiting for a change request's review, and settled. Settling only moves
 * a `running` render, so a retried job or a racing cancel cannot settle twice. The API's reads are in
 * ../store.ts.
 */
import type { Insertable, Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { RenderRow } from '../store.ts';
import type { InstallRendersTable, RenderFailure } from '../tables.ts';
import type { Plan } from './plan.ts';

export type NewRender = Omit<Insertable<InstallRendersTable>, 'seq'>;

export async function insertRender(trx: Kysely<DB>, row: NewRender): Promise<RenderRow> {
  return trx.insertInto('install_renders').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The job now carrying the render out (a render accepted after review gets a new one). */
export async function setRenderJob(trx: Kysely<DB>, id: string, jobId: string): Promise<void> {
  await trx.updateTable('install_renders').set({ job_id: jobId }).where('id', '=', id).execute();
}

/** From here a commit may land: a later attempt must look for it before committing. */
export async function markCommitStarted(db: Kysely<DB>, id: string): Promise<void> {
  await db
    .updateTable('install_renders')
    .set({ commit_started_at: new Date() })
    .where('id', '=', id)
    .execute();
}

/** The render now waits for the review of this change request. */
export async function setRenderChangeRequest(
  trx: Kysely<DB>,
  id: string,
  changeRequestId: string,
  now: Date,
): Promise<void> {
  await trx
    .updateTable('install_renders')
    .set({ repository_change_request_id: changeRequestId, updated_at: now })
    .where('id', '=', id)
    .execute();
}

/** The newest running render an operation reports on. */
export async function runningRenderOfOperation(
  db: Kysely<DB>,
  operationId: string,
): Promise<RenderRow | undefined> {
  return db
    .selectFrom('install_renders')
    .selectAll()
    .where('operation_id', '=', operationId)
    .where('state', '=', 'running')
    .orderBy('seq', 'desc')
    .executeTakeFirst();
}

/** Which of these installs have a render running (queued, in progress or waiting for review). */
export async function installsRendering(db: Kysely<DB>, installIds: string[]): Promise<Set<string>> {
  const running = await db
    .selectFrom('install_renders')
    .select('install_id')
    .distinct()
    .where('install_id', 'in', installIds)
    .where('state', '=', 'running')
    .execute();
  return new Set(running.map((r) => r.install_id));
}

/** Settles a running render deployed or skipped with its plan; false when it was not running. */
export async function completeRender(
  trx: Kysely<DB>,
  id: string,
  done: { state: 'deployed' | 'skipped'; plan: Plan; commitSha: string | null; now: Date },
): Promise<boolean> {
  const { plan } = done;
  const result = await trx
    .updateTable('install_renders')
    .set({
      state: done.state,
      render_hash: plan.hash,
      commit_sha: done.commitSha,
      package_version_id: plan.packageVersionId,
      input_values: JSON.stringify(plan.values),
      render_key: plan.key,
      updated_at: done.now,
    })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Settles a running render failed (a cancellation is a failure coded `cancelled`); false when it was not running. */
export async function failRender(
  trx: Kysely<DB>,
  id: string,
  failure: RenderFailure,
  now: Date,
): Promise<boolean> {
  const result = await trx
    .updateTable('install_renders')
    .set({ state: 'failed', failure: JSON.stringify(failure), updated_at: now })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
