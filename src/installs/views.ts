/**
 * An install as its wire form needs it, with what other families own: its workspace's name (platform)
 * and whether work on it is in flight: a render of it running, or an operation of it still running
 * (its install.delete purging the repositories).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { ownersWithRunningOperations } from '../operations/store.ts';
import { findWorkspace } from '../platform/workspaces/store.ts';
import type { InstallRendering, InstallRow } from './store.ts';

export type InstallView = InstallRow & { workspace_name: string; reconciling: boolean };

/** The views of installs of one workspace (rows of another workspace are a bug in the caller). */
export async function installViews(
  db: Kysely<DB>,
  workspaceId: string,
  rows: readonly InstallRendering[],
): Promise<InstallView[]> {
  if (rows.length === 0) return [];
  const workspace = await findWorkspace(db, workspaceId);
  if (!workspace) throw new Error(`workspace ${workspaceId} of ${rows.length} installs not found`);
  const idle = rows.filter((r) => !r.rendering).map((r) => r.id);
  const operating = await ownersWithRunningOperations(db, workspaceId, 'install', idle);
  return rows.map(({ rendering, ...row }) => ({
    ...row,
    workspace_name: workspace.name,
    reconciling: rendering || operating.has(row.id),
  }));
}

/** The view of one install, or undefined when there is none. */
export async function installView(
  db: Kysely<DB>,
  row: InstallRendering | undefined,
): Promise<InstallView | undefined> {
  return row && (await installViews(db, row.workspace_id, [row]))[0];
}
