/**
 * Agent deployments: create (names unique among a workspace's live deployments), get, list (name and
 * status filters), and delete, which is a soft delete that also cancels the deployment's active runs
 * and stops its services.
 */
import type { Kysely } from 'kysely';
import { newId } from '../db/ids.ts';
import { isUniqueViolation } from '../db/errors.ts';
import type { DB } from '../db/schema.ts';
import { conflict } from '../http/errors.ts';
import { notFound } from './errors.ts';
import { toItems, type Items, type PageRequest } from './page.ts';
import type { AgentDeployment, CreateDeploymentBody } from './schemas.ts';
import {
  findDeployment,
  findLiveDeploymentIdByName,
  insertDeployment,
  listDeployments,
  markDeploymentDeleted,
  type DeploymentRow,
} from './deployment-store.ts';
import { toDeployment } from './resources.ts';
import type { DeploymentStatus } from './tables.ts';

export type { DeploymentRow };

/** The deployment row or 404; `forUpdate` locks it for the caller's transaction. */
export async function loadDeployment(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<DeploymentRow> {
  const row = await findDeployment(db, workspaceId, id, options);
  if (!row) throw notFound('agent_deployment', id);
  return row;
}

/** A live deployment (not deleted) or 404/409. */
export async function loadLiveDeployment(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<DeploymentRow> {
  const row = await loadDeployment(db, workspaceId, id, options);
  if (row.status === 'deleted') throw notFound('agent_deployment', id);
  return row;
}

export type DeploymentService = ReturnType<typeof createDeploymentService>;

export function createDeploymentService(deps: {
  db: Kysely<DB>;
  /** Cancels active runs and stops services of a deleted deployment. */
  onDeleted(workspaceId: string, deploymentId: string): Promise<void>;
}) {
  const { db } = deps;
  return {
    async create(workspaceId: string, body: CreateDeploymentBody): Promise<AgentDeployment> {
      try {
        const row = await insertDeployment(db, {
          id: newId('adpl'),
          workspace_id: workspaceId,
          name: body.name,
          mode: body.mode,
          description: body.description ?? null,
          metadata: JSON.stringify(body.metadata ?? {}),
        });
        return toDeployment(row);
      } catch (error) {
        if (isUniqueViolation(error)) {
          const existing = await findLiveDeploymentIdByName(db, workspaceId, body.name);
          throw conflict(
            `a deployment named "${body.name}" already exists${existing ? ` (${existing})` : ''}; deploy new versions to it or pick another name`,
            ['body', 'name'],
          );
        }
        throw error;
      }
    },

    async get(workspaceId: string, id: string): Promise<AgentDeployment> {
      return toDeployment(await loadDeployment(db, workspaceId, id));
    },

    async list(
      workspaceId: string,
      filter: { name?: string | undefined; status?: DeploymentStatus | undefined },
      page: PageRequest,
    ): Promise<Items<AgentDeployment>> {
      return toItems(await listDeployments(db, workspaceId, filter, page), page, toDeployment);
    },

    /** Soft delete: status deleted, its name free again; active runs cancelled, services stopped. */
    async delete(workspaceId: string, id: string): Promise<AgentDeployment> {
      const row = await db.transaction().execute(async (tx) => {
        const current = await loadDeployment(tx, workspaceId, id, { forUpdate: true });
        if (current.status === 'deleted') return current;
        return markDeploymentDeleted(tx, id);
      });
      await deps.onDeleted(workspaceId, id);
      return toDeployment(row);
    },
  };
}
