/** `atoll token create`: issues an API token for a workspace named by id, slug or name. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { issueToken } from '../platform/api-tokens/service.ts';
import { findWorkspacesByRef } from '../platform/workspaces/store.ts';
import { CliError } from './errors.ts';

/** Parses durations such as 90m, 12h, 30d; undefined for no expiry. */
export function parseDuration(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+)([smhd])$/.exec(text);
  if (!match) throw new CliError(`--expires-in must look like 90m, 12h or 30d (got "${text}")`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[match[2] as 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit * 1000;
}

export async function resolveWorkspace(db: Kysely<DB>, ref: string): Promise<{ id: string; name: string }> {
  const rows = await findWorkspacesByRef(db, ref);
  const exact = rows.find((r) => r.id === ref) ?? (rows.length === 1 ? rows[0] : undefined);
  if (!exact) {
    throw new CliError(
      rows.length === 0
        ? `no workspace with id, slug or name "${ref}"`
        : `several workspaces are named "${ref}"; use its id`,
    );
  }
  return exact;
}

export async function createToken(
  db: Kysely<DB>,
  options: { workspace: string; name: string; expiresInMs: number | undefined },
): Promise<{ token: string; id: string; workspaceId: string }> {
  if (options.name.length < 1 || options.name.length > 100)
    throw new CliError('--name must be 1–100 characters');
  const workspace = await resolveWorkspace(db, options.workspace);
  const created = await issueToken(db, {
    workspaceId: workspace.id,
    name: options.name,
    createdBy: 'cli',
    expiresAt: options.expiresInMs === undefined ? null : new Date(Date.now() + options.expiresInMs),
  });
  return { token: created.token, id: created.id, workspaceId: workspace.id };
}
