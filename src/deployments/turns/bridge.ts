/**
 * The API socket of a turn's run. Sandboxes have no network (only their own loopback), so a run that
 * serves an agent turn reaches the API through a unix socket in its run dir (`/run/atoll/api.sock`
 * inside; the mount is read-only, which does not stop connect). Requests are passed in-process to the
 * app (`app.fetch`), so auth, validation and errors are exactly the API's; but only the emit route of
 * the run's own turn gets through — anything else is a 403 here, before the app sees it.
 */
import { chmod, unlink } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { getRequestListener } from '@hono/node-server';
import type { Logger } from 'pino';
import { newId } from '../../db/ids.ts';
import { forbidden } from '../../http/errors.ts';
import { renderError } from '../../http/families.ts';

export const SOCKET_NAME = 'api.sock';
/** sun_path holds 108 bytes with its terminating NUL. */
const MAX_SOCKET_PATH = 107;
/** One agent needs a few connections; this bounds what a runaway one can hold open. */
const MAX_CONNECTIONS = 32;

export type Bridge = { readonly socketPath: string; close(): Promise<void> };

export type BridgeOptions = {
  /** Host directory the socket is made in (the sandbox's hostRunDir). */
  dir: string;
  turnId: string;
  fetch: (request: Request) => Response | Promise<Response>;
  log: Logger;
};

/** Listens on `<dir>/api.sock` (mode 0666, so the sandbox's user can connect) until closed. */
export async function openBridge(options: BridgeOptions): Promise<Bridge> {
  const socketPath = path.join(options.dir, SOCKET_NAME);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH)
    throw new Error(
      `the run's API socket path ${socketPath} is longer than the ${MAX_SOCKET_PATH} bytes a unix socket allows; use a shorter DATA_DIR`,
    );
  const emitPath = `/v1/agent_turns/${options.turnId}:emit`;
  const pass = getRequestListener(options.fetch, {
    overrideGlobalObjects: false,
    errorHandler: (error) => {
      options.log.warn({ err: error, turn: options.turnId }, 'turn API socket request failed');
    },
  });
  const server = http.createServer((req, res) => {
    const target = new URL(req.url ?? '/', 'http://sandbox');
    if (req.method === 'POST' && target.pathname === emitPath) {
      void pass(req, res);
      return;
    }
    const requestId = newId('req');
    const refused = renderError(
      'akua',
      forbidden(`this socket serves one route only: POST ${emitPath}`),
      requestId,
    );
    res.writeHead(refused.status, {
      'content-type': 'application/json',
      'x-request-id': requestId,
      ...refused.headers,
    });
    res.end(JSON.stringify(refused.body));
  });
  server.maxConnections = MAX_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(socketPath, 0o666);
  let closing: Promise<void> | undefined;
  return {
    socketPath,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }).then(() => unlink(socketPath).catch(() => {}));
      return closing;
    },
  };
}
