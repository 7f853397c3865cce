/** `atoll serve`: the HTTP API and background workers in one process (or one role of them). */
import { serve as listen } from '@hono/node-server';
import type { Logger } from 'pino';
import { createAtoll, type Role } from '../atoll.ts';
import type { Config } from '../config.ts';
import { bootstrapTokenPath } from '../platform/bootstrap.ts';
import { ensureDataDir } from './data-dir.ts';

export async function serve(config: Config, role: Role, log: Logger): Promise<void> {
  ensureDataDir(config.dataDir);
  const atoll = await createAtoll(config, { log, role });
  const server =
    role === 'worker'
      ? undefined
      : await new Promise<ReturnType<typeof listen>>((resolve, reject) => {
          const s = listen({ fetch: atoll.app.fetch, hostname: config.host, port: config.port }, () =>
            resolve(s),
          );
          s.once('error', reject);
        });
  const tokenFile = atoll.bootstrap.tokenFile;
  if (atoll.bootstrap.created) {
    log.info(
      { workspace_id: atoll.bootstrap.workspaceId, bootstrap_token_file: tokenFile },
      tokenFile
        ? `created workspace "default"; its API token is in ${tokenFile} (read it with: cat ${tokenFile})`
        : 'created workspace "default" with the token from ATOLL_BOOTSTRAP_TOKEN',
    );
  } else if (tokenFile) {
    log.info(
      { bootstrap_token_file: tokenFile },
      `the bootstrap API token is in ${bootstrapTokenPath(config.dataDir)}`,
    );
  }
  log.info(
    {
      url: server ? config.publicUrl : undefined,
      role,
      store: atoll.database.kind === 'pglite' ? `pglite:${config.dataDir}` : 'postgres',
      bootstrap_token_file: tokenFile,
    },
    server
      ? `Atoll listening on ${config.publicUrl} (API reference: ${config.publicUrl}/docs)`
      : 'Atoll worker started',
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await atoll.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}
