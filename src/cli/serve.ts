/**
 * `atoll serve`: the HTTP API and background workers in one process (or one role of them).
 *
 * Start-up listens before any background work starts, so a port in use stops the process with one line
 * and leaves nothing running.
 */
import type http from 'node:http';
import { serve as listen } from '@hono/node-server';
import type { Logger } from 'pino';
import { createAtoll, type Atoll, type Role } from '../atoll.ts';
import type { Config } from '../config.ts';
import { bootstrapTokenPath } from '../platform/bootstrap.ts';
import { ensureDataDir } from './data-dir.ts';
import { CliError } from './errors.ts';

export async function serve(config: Config, role: Role, log: Logger): Promise<void> {
  ensureDataDir(config.dataDir);
  const atoll = await createAtoll(config, { log, role, start: false });
  let server: http.Server | undefined;
  if (role !== 'worker') {
    try {
      server = await open(atoll, config);
    } catch (error) {
      await atoll.close();
      throw listenError(error, config);
    }
  }
  await atoll.start();
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

function open(atoll: Atoll, config: Config): Promise<http.Server> {
  return new Promise((resolve, reject) => {
    const s = listen({ fetch: atoll.app.fetch, hostname: config.host, port: config.port }, () =>
      resolve(s as http.Server),
    );
    s.once('error', reject);
  });
}

/** A listen failure an operator can fix, as one line naming the variable; anything else as it is. */
function listenError(error: unknown, config: Config): unknown {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE':
      return new CliError(`port ${config.port} is in use (set PORT)`, 1);
    case 'EACCES':
      return new CliError(
        `no permission to listen on port ${config.port} (set PORT to 1024 or above, or run with the right to bind it)`,
        1,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new CliError(`cannot listen on ${config.host}: not an address of this machine (set HOST)`, 1);
    default:
      return error;
  }
}
