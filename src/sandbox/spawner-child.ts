/**
 * The spawner process (see spawner.ts): a small Node process that starts sandbox processes on the
 * server's behalf, so that each spawn forks this process's small address space instead of the
 * server's (measured here: ~1.5 ms instead of ~17 ms with the embedded store loaded). It relays the
 * children's pipes over IPC and exits, killing nothing itself, when the server goes: bwrap's
 * --die-with-parent then ends every sandbox it started.
 *
 * Children get an empty environment: bwrap lives as long as its sandbox, as the sandbox's uid, and
 * needs nothing of the server's (DATABASE_URL, keys); what the sandbox gets comes on a descriptor
 * (bwrap-args.ts). A pipe or the IPC channel failing because its other end is gone (the server
 * killed, a child dead before reading) is expected: it never crashes this process, whose end is the
 * channel's 'disconnect'.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { leakingDescriptors, sealedStdio, type StdioEntry } from './inherited-fds.ts';

/**
 * 'pipe': the child writes, the server reads; 'input': the server writes; `{file}`: opened read-only;
 * `{data}`: a pipe holding `data`, then EOF.
 */
export type SpawnStdio = 'ignore' | 'pipe' | 'input' | { file: string } | { data: Uint8Array };
export type ToChild =
  | {
      t: 'spawn';
      id: number;
      file: string;
      args: string[];
      uid?: number;
      gid?: number;
      stdio: SpawnStdio[];
    }
  | { t: 'write'; id: number; fd: number; data: Buffer }
  | { t: 'end'; id: number; fd: number; data?: Buffer };
export type FromChild =
  | { t: 'spawn'; id: number; pid: number }
  | { t: 'error'; id: number; message: string; code?: string }
  | { t: 'data'; id: number; fd: number; data: Buffer }
  | { t: 'eof'; id: number; fd: number }
  | { t: 'close'; id: number; code: number | null; signal: NodeJS.Signals | null };

const leaking = leakingDescriptors();
const devNull = fs.openSync('/dev/null', 'r');
const children = new Map<number, ChildProcess>();
const send = (message: FromChild) => {
  // With a callback, a failed send (the server is gone) is reported there instead of as an 'error'
  // event that would crash this process; 'disconnect' follows and ends it.
  if (process.connected) process.send!(message, () => {});
};

function start(message: Extract<ToChild, { t: 'spawn' }>): void {
  const opened: number[] = [];
  const base: StdioEntry[] = message.stdio.map((entry) => {
    if (typeof entry === 'object' && 'file' in entry) {
      const fd = fs.openSync(entry.file, 'r');
      opened.push(fd);
      return fd;
    }
    return entry === 'input' || typeof entry === 'object' ? 'pipe' : entry;
  });
  let child: ChildProcess;
  try {
    child = spawn(message.file, message.args, {
      detached: true,
      env: {},
      ...(message.uid !== undefined ? { uid: message.uid, gid: message.gid } : {}),
      stdio: sealedStdio(base, leaking, devNull),
    });
  } catch (error) {
    send({
      t: 'error',
      id: message.id,
      message: (error as Error).message,
      code: (error as NodeJS.ErrnoException).code,
    });
    return;
  } finally {
    for (const fd of opened) fs.closeSync(fd);
  }
  const { id } = message;
  children.set(id, child);
  child.once('spawn', () => send({ t: 'spawn', id, pid: child.pid! }));
  child.once('error', (error) => {
    if (child.pid === undefined)
      send({ t: 'error', id, message: error.message, code: (error as NodeJS.ErrnoException).code });
  });
  message.stdio.forEach((entry, fd) => {
    const stream = child.stdio[fd] as Readable | Writable | null;
    if (!stream) return;
    // EPIPE or ECONNRESET when the child ended (or never started) first: its 'close' reports it.
    stream.on('error', () => {});
    if (entry === 'pipe') {
      stream.on('data', (data: Buffer) => send({ t: 'data', id, fd, data }));
      stream.on('end', () => send({ t: 'eof', id, fd }));
    } else if (typeof entry === 'object' && 'data' in entry) (stream as Writable).end(entry.data);
  });
  child.once('close', (code, signal) => {
    children.delete(id);
    send({ t: 'close', id, code, signal });
  });
}

process.on('message', (message: ToChild) => {
  switch (message.t) {
    case 'spawn':
      return start(message);
    case 'write':
    case 'end': {
      const stream = children.get(message.id)?.stdio[message.fd] as Writable | null | undefined;
      if (!stream) return;
      if (message.t === 'write') stream.write(message.data);
      else stream.end(message.data);
      return;
    }
    default: {
      const never: never = message;
      throw new Error(`unknown spawner message ${JSON.stringify(never)}`);
    }
  }
});
// The server is gone (exited or killed): so is this process, and with it every bwrap it started.
process.on('disconnect', () => process.exit(0));
// Ctrl-C (SIGINT) signals the whole process group: the server's graceful stop decides when sandboxes end (and
// says why), so this process outlives the signal and goes with the server.
process.on('SIGINT', () => {});
