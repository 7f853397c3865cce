/** Row → resource mapper of workspaces (`to<Resource>`). */
import { unixSeconds } from '../../db/time.ts';
import { etagOf } from '../../http/etag.ts';
import type { Workspace } from './schemas.ts';
import type { WorkspaceRow } from './store.ts';

export function toWorkspace(row: WorkspaceRow): Workspace {
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    plan: { tier: row.plan_tier, billed_by: 'platform' },
    workspace_class: row.workspace_class as Workspace['workspace_class'],
    created_at: unixSeconds(row.created_at),
    updated_at: unixSeconds(row.updated_at),
    etag: etagOf(row.version),
  };
}
