/**
 * First start: on an empty store, create workspace "default" and an API token for it. The token is
 * ATOLL_BOOTSTRAP_TOKEN when set; otherwise a random one written once to DATA_DIR/bootstrap-token
 * (mode 0600). Concurrent first starts of several processes on one Postgres create it once (the
 * transaction holds an advisory lock).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { newId } from '../db/ids.ts';
import type { DB } from '../db/schema.ts';
import { issueToken } from './api-tokens/service.ts';
import { generateTokenSecret } from './token-secret.ts';
import { countWorkspaces, insertWorkspace, lockBootstrap } from './workspaces/store.ts';

const BOOTSTRAP_LOCK_KEY = 727_274_002;

export type BootstrapResult =
  | { created: false; tokenFile: string | undefined }
  | { created: true; workspaceId: string; tokenFile: string | undefined };

export function bootstrapTokenPath(dataDir: string): string {
  return path.join(dataDir, 'bootstrap-token');
}

export async function bootstrap(
  db: Kysely<DB>,
  options: { dataDir: string; token: string | undefined },
): Promise<BootstrapResult> {
  const file = bootstrapTokenPath(options.dataDir);
  const existingFile = fs.existsSync(file) ? file : undefined;
  return db.transaction().execute(async (trx) => {
    await lockBootstrap(trx, BOOTSTRAP_LOCK_KEY);
    if ((await countWorkspaces(trx)) > 0) return { created: false, tokenFile: existingFile };
    const secret = options.token ?? generateTokenSecret();
    const workspace = await insertWorkspace(trx, {
      id: newId('ws'),
      name: 'default',
      slug: 'default',
      created_by: 'system',
    });
    await issueToken(trx, {
      workspaceId: workspace.id,
      name: 'bootstrap',
      createdBy: 'system',
      expiresAt: null,
      secret,
    });
    if (options.token === undefined) {
      // Written before commit: if the commit fails the next start replaces the file with a new token.
      fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o711 });
      fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
      fs.chmodSync(file, 0o600);
      return { created: true, workspaceId: workspace.id, tokenFile: file };
    }
    return { created: true, workspaceId: workspace.id, tokenFile: undefined };
  });
}
