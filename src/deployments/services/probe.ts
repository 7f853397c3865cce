/**
 * One readiness probe of a service port, reached through `Sandbox.connect`: `tcp` passes when a
 * connection is accepted, `http` when GET <path> answers 2xx. Resolves to undefined on success or to
 * a short description of what went wrong; never rejects.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Sandbox } from '../../sandbox/driver.ts';

export type ProbeKind = { type: 'http'; path: string } | { type: 'tcp' };

export async function probePort(
  sandbox: Pick<Sandbox, 'connect'>,
  port: number,
  kind: ProbeKind,
  timeoutMs: number,
  cancel?: AbortSignal,
): Promise<string | undefined> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = cancel ? AbortSignal.any([timeout, cancel]) : timeout;
  let socket: Duplex | undefined;
  try {
    socket = await abortable(sandbox.connect(port), signal);
    if (kind.type === 'tcp') return undefined;
    const status = await get(socket, port, kind.path, signal);
    return status >= 200 && status < 300 ? undefined : `GET ${kind.path} answered ${status}`;
  } catch (error) {
    return timeout.aborted ? `no answer within ${timeoutMs} ms` : describe(error);
  } finally {
    socket?.destroy();
  }
}

function get(socket: Duplex, port: number, path: string, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      method: 'GET',
      path,
      headers: { host: `localhost:${port}`, 'user-agent': 'atoll-readiness-probe', connection: 'close' },
      createConnection: () => socket as never,
      signal,
    });
    // The connection may come paused (so nothing is lost before a reader attaches): read it now.
    req.once('socket', () => socket.resume());
    req.once('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

function abortable<T extends Duplex>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason);
      // A connection that arrives after the timeout is not wanted any more.
      void promise.then((s) => s.destroy()).catch(() => {});
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) value.destroy();
        else resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.name === 'AbortError') return 'probe cancelled';
  if (e?.code === 'ECONNREFUSED') return 'connection refused (nothing listens on the port yet)';
  if (e?.code === 'ECONNRESET' || e?.code === 'EPIPE') return 'connection reset';
  if (e?.code === 'HPE_INVALID_CONSTANT' || e?.code?.startsWith('HPE_')) return 'the answer was not HTTP';
  return e?.message || String(error);
}
