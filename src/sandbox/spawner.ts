/**
 * Spawning sandbox processes through a helper process. A fork copies the page tables of the forking
 * process: the server, with the embedded store loaded, pays ~17 ms per spawn on the 2-core machine,
 * where a small process pays ~1.5 ms. `createSpawner` starts spawner-child.ts once (lazily) and gives
 * back ChildProcess-like objects whose pipes are relayed over IPC. If the server dies the spawner
 * exits, and bwrap's --die-with-parent takes every sandbox with it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import type { FromChild, SpawnStdio, ToChild } from './spawner-child.ts';

export type { SpawnStdio };

/** The part of ChildProcess the sandbox code uses. */
export type RemoteChild = EventEmitter & {
  /** Set once the process exists ('spawn'); undefined before and when it could not be started. */
  pid: number | undefined;
  readonly stdout: PassThrough | null;
  readonly stderr: PassThrough | null;
  readonly stdio: Array<PassThrough | Writable | null>;
};

export type Spawner = {
  spawn(
    file: string,
    args: string[],
    options: { uid?: number; gid?: number; stdio: SpawnStdio[] },
  ): RemoteChild;
};

export function createSpawner(): Spawner {
  let helper: ChildProcess | undefined;
  let nextId = 1;
  const live = new Map<number, { child: RemoteChild; streams: Map<number, PassThrough> }>();

  const ensure = (): ChildProcess => {
    if (helper && helper.connected) return helper;
    const started = fork(path.join(import.meta.dirname, 'spawner-child.ts'), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      execArgv: ['--max-old-space-size=64'],
    });
    started.on('message', (message: FromChild) => onMessage(message));
    started.on('exit', () => {
      if (helper === started) helper = undefined;
      // Whatever it was relaying is gone with it: report those children closed by SIGKILL.
      for (const [id, entry] of live) {
        for (const stream of entry.streams.values()) stream.end();
        live.delete(id);
        entry.child.emit('close', null, 'SIGKILL');
      }
    });
    started.unref();
    (started.channel as unknown as { unref(): void } | undefined)?.unref();
    helper = started;
    return started;
  };

  // The channel keeps the server's event loop alive only while it relays a live child.
  const retain = () => (helper?.channel as unknown as { ref(): void } | undefined)?.ref();
  const release = () => {
    if (live.size === 0) (helper?.channel as unknown as { unref(): void } | undefined)?.unref();
  };

  function onMessage(message: FromChild): void {
    const entry = live.get(message.id);
    if (!entry) return;
    switch (message.t) {
      case 'spawn':
        entry.child.pid = message.pid;
        entry.child.emit('spawn');
        return;
      case 'error': {
        const error = Object.assign(new Error(message.message), { code: message.code });
        entry.child.emit('error', error);
        live.delete(message.id);
        for (const stream of entry.streams.values()) stream.end();
        entry.child.emit('close', null, null);
        release();
        return;
      }
      case 'data':
        entry.streams.get(message.fd)?.write(Buffer.from(message.data));
        return;
      case 'eof':
        entry.streams.get(message.fd)?.end();
        return;
      case 'close': {
        live.delete(message.id);
        for (const stream of entry.streams.values()) stream.end();
        // Let the streams deliver what they hold before 'close', as a ChildProcess does.
        setImmediate(() => entry.child.emit('close', message.code, message.signal));
        release();
        return;
      }
      default: {
        const never: never = message;
        throw new Error(`unknown spawner message ${JSON.stringify(never)}`);
      }
    }
  }

  return {
    spawn(file, args, options) {
      const process_ = ensure();
      const id = nextId++;
      const streams = new Map<number, PassThrough>();
      const send = (message: ToChild) => {
        // The helper died: its exit handler closes this child. With a callback, the failed send is
        // not an 'error' event on the helper, which nothing listens to.
        if (process_.connected) process_.send(message, () => {});
      };
      const stdio: Array<PassThrough | Writable | null> = options.stdio.map((entry, fd) => {
        if (entry === 'input') {
          return new Writable({
            write(chunk: Buffer, _encoding, done) {
              send({ t: 'write', id, fd, data: chunk });
              done();
            },
            final(done) {
              send({ t: 'end', id, fd });
              done();
            },
          });
        }
        if (entry !== 'pipe') return null;
        const stream = new PassThrough();
        streams.set(fd, stream);
        return stream;
      });
      const child = Object.assign(new EventEmitter(), {
        pid: undefined as number | undefined,
        stdout: (stdio[1] as PassThrough | null) ?? null,
        stderr: (stdio[2] as PassThrough | null) ?? null,
        stdio,
      });
      live.set(id, { child, streams });
      retain();
      send({ t: 'spawn', id, file, args, uid: options.uid, gid: options.gid, stdio: options.stdio });
      return child;
    },
  };
}
