/** Row → resource mapper of API tokens (`to<Resource>`); the secret is never part of it. */
import { unixSeconds, unixSecondsOrNull } from '../../db/time.ts';
import type { ApiToken } from './schemas.ts';
import type { ApiTokenRow } from './store.ts';

export function toApiToken(row: ApiTokenRow): ApiToken {
  return {
    id: row.id,
    workspace_id: row.workspace_id,
    name: row.name,
    prefix: row.prefix,
    created_at: unixSeconds(row.created_at),
    last_used_at: unixSecondsOrNull(row.last_used_at),
    expires_at: unixSecondsOrNull(row.expires_at),
  };
}
