/** Which version a run or service uses: the one named (ready or superseded) or the deployment's active one. */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import type { DeploymentRow } from '../deployment-service.ts';
import { stateConflict, notFound } from '../errors.ts';
import { loadVersion, type VersionRow } from '../versions/service.ts';

export async function pickVersion(
  db: Kysely<DB>,
  deployment: DeploymentRow,
  versionId: string | null | undefined,
): Promise<VersionRow> {
  if (deployment.status === 'paused')
    throw stateConflict(`deployment ${deployment.id} is paused and admits no new runs or services`);
  const id = versionId ?? deployment.active_version_id;
  if (id === null)
    throw stateConflict(`deployment ${deployment.id} has no active version yet`, {
      hint: 'deploy one with "atoll agent deploy" (create a version and upload its bundle)',
    });
  const version = await loadVersion(db, deployment.workspace_id, deployment.id, id).catch((error) => {
    throw versionId ? notFound('agent_version', id) : error;
  });
  if (version.status !== 'ready' && version.status !== 'superseded')
    throw stateConflict(
      `version ${id} is ${version.status}; only a version whose bundle was uploaded can run`,
      {
        hint: 'upload its bundle: PUT …/versions/{version_id}/bundle',
      },
    );
  return version;
}
