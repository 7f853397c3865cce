/**
 * The host side of the port relay (relay.cjs runs inside the sandbox): a unix socket in the sandbox's
 * relay dir, bound read-only inside, that the relay connects out to. `connect()` asks the relay, over
 * its control connection, for a connection to the exposed port and resolves with the data connection
 * it opens back. The host never connects to anything under the sandbox's control; a sandbox process
 * could talk to the socket too, but it could only hand the host streams it could serve on the port
 * anyway.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';

const TOKEN_BYTES = 16;
const CONTROL = 0x43; // 'C'
const DATA = 0x44; // 'D'
// sun_path holds 108 bytes; longer paths are reached through a descriptor of their directory.
const MAX_SOCKET_PATH = 100;

export type RelayHub = {
  /** Resolves with a connection to the port inside; rejects (code ECONNREFUSED) when nothing listens. */
  connect(): Promise<Duplex>;
  close(): void;
};

type Pending = { resolve(socket: Duplex): void; reject(error: Error): void; timer: NodeJS.Timeout };

export function relayError(code: 'ECONNREFUSED' | 'ETIMEDOUT', message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Listens on `<dir>/<socketName>` (synchronously, before the sandbox starts). */
export function openRelayHub(options: {
  dir: string;
  socketName: string;
  port: number;
  /** Owner of the socket file, so that the sandbox's uid may connect. */
  owner?: { uid: number; gid: number };
  timeoutMs?: number;
}): RelayHub {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const full = path.join(options.dir, options.socketName);
  let dirFd: number | undefined;
  let listenPath = full;
  if (Buffer.byteLength(full) > MAX_SOCKET_PATH) {
    dirFd = fs.openSync(options.dir, 'r');
    listenPath = `/proc/self/fd/${dirFd}/${options.socketName}`;
  }
  fs.rmSync(listenPath, { force: true });
  const pending = new Map<string, Pending>();
  let control: net.Socket | undefined;

  const server = net.createServer((socket) => {
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    let head = Buffer.alloc(0);
    socket.on('error', () => {});
    // The header is read in paused mode, so that the socket is handed over with nothing consumed past
    // it and flowing as soon as its new owner listens.
    const onReadable = () => {
      for (let chunk: Buffer | null; (chunk = socket.read()) !== null;) head = Buffer.concat([head, chunk]);
      if (head.length === 0) return;
      if (head[0] === CONTROL) {
        clearTimeout(timer);
        socket.off('readable', onReadable);
        socket.resume();
        if (control) return socket.destroy();
        control = socket;
        socket.on('close', () => {
          if (control === socket) control = undefined;
        });
        return;
      }
      if (head[0] !== DATA) return socket.destroy();
      if (head.length < 2 + TOKEN_BYTES) return;
      clearTimeout(timer);
      socket.off('readable', onReadable);
      const key = head.subarray(1, 1 + TOKEN_BYTES).toString('hex');
      const status = head[1 + TOKEN_BYTES];
      const rest = head.subarray(2 + TOKEN_BYTES);
      const request = pending.get(key);
      if (!request) return socket.destroy();
      pending.delete(key);
      clearTimeout(request.timer);
      if (status !== 1) {
        socket.destroy();
        return request.reject(
          relayError(
            'ECONNREFUSED',
            `connect ECONNREFUSED: nothing listens on port ${options.port} in the sandbox`,
          ),
        );
      }
      if (rest.length > 0) socket.unshift(rest);
      request.resolve(socket);
    };
    socket.on('readable', onReadable);
  });
  server.on('error', () => {});
  server.listen(listenPath);
  if (options.owner) fs.chownSync(listenPath, options.owner.uid, options.owner.gid);

  return {
    connect() {
      const channel = control;
      if (!channel || channel.destroyed)
        return Promise.reject(
          relayError('ECONNREFUSED', `connect ECONNREFUSED: the relay for port ${options.port} is not up`),
        );
      const token = randomBytes(TOKEN_BYTES);
      const key = token.toString('hex');
      return new Promise<Duplex>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(key);
          reject(
            relayError('ETIMEDOUT', `connect ETIMEDOUT: the relay did not answer for port ${options.port}`),
          );
        }, timeoutMs);
        pending.set(key, { resolve, reject, timer });
        channel.write(token);
      });
    },
    close() {
      server.close(() => {
        if (dirFd !== undefined) fs.closeSync(dirFd);
      });
      control?.destroy();
      for (const request of pending.values()) {
        clearTimeout(request.timer);
        request.reject(
          relayError('ECONNREFUSED', `connect ECONNREFUSED: the command exposing port ${options.port} ended`),
        );
      }
      pending.clear();
    },
  };
}
