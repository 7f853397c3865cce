/**
 * `atoll serve`: the HTTP API and background workers in one process (or one role of them).
 *
 * Start-up listens before any background work starts, so a port in use stops the process with one line
 * and leaves nothing running. A graceful stop (SIGTERM/SIGINT, see docs/architecture.md) stops accepting
 * connections, ends open event and log streams with a final frame, lets in-flight requests and jobs
 * finish within ATOLL_SHUTDOWN_GRACE_MS, then closes what is left and exits 0; a second signal exits at once.
 */
import type http from 'node:http';
import { serve as listen } from '@hono/node-server';
import type { Logger } from 'pino';
import { createAtoll, type Atoll, type Role } from '../atoll.ts';
import type { Config } from '../config.ts';
import { consoleSourcesPresent, ensureConsoleBuilt } from '../console/build.ts';
import { bootstrapTokenPath } from '../platform/bootstrap.ts';
import { ensureDataDir } from './data-dir.ts';
import { CliError } from './errors.ts';

/** How often idle keep-alive connections are closed while in-flight requests drain. */
const IDLE_SWEEP_MS = 50;

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
  if (server && config.consoleBuild === 'auto' && consoleSourcesPresent()) {
    // Served while it builds: the console page says so and reloads itself.
    ensureConsoleBuilt((line) => log.info(line)).catch((error: Error) => log.error(error.message));
  }
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
      ? `Atoll listening on ${config.publicUrl}: open ${config.publicUrl} for the console (API reference: ${config.publicUrl}/docs)`
      : 'Atoll worker started',
  );
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting at once');
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    stopping = true;
    stop(atoll, server, config, log, signal).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'the graceful stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
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

/** The graceful stop: stop accepting, drain within the grace, close what is left, close atoll. */
async function stop(
  atoll: Atoll,
  server: http.Server | undefined,
  config: Config,
  log: Logger,
  signal: NodeJS.Signals,
): Promise<void> {
  const graceMs = config.shutdownGraceMs;
  log.info(
    { signal, grace_ms: graceMs },
    `shutting down: finishing in-flight requests and jobs for up to ${graceMs} ms (a second signal exits at once)`,
  );
  const drained = atoll.drain(); // streams end with a final frame; runners stop claiming
  if (server) {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A keep-alive connection whose request has finished would hold close() open: close each as it idles.
    server.closeIdleConnections();
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([
      closed.then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
    ]);
    clearTimeout(timer);
    clearInterval(sweep);
    if (!inTime) {
      log.warn(
        { grace_ms: graceMs },
        'requests still running after ATOLL_SHUTDOWN_GRACE_MS; closing their connections',
      );
      server.closeAllConnections();
      await closed;
    }
  }
  await drained;
  await atoll.close();
  log.info('stopped');
}
