/**
 * Captures a sandboxed process's stdout and stderr as numbered, timestamped lines tagged with their
 * stream: decoded as UTF-8 (bytes that are not UTF-8, and NUL, become U+FFFD), split on newlines (very long lines in chunks), env values redacted, kept
 * up to the owner's byte budget (one `system` line marks the truncation), and written in small
 * batches so that a chatty process costs few statements. Followers are woken after each commit.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { setRunLogUsage } from '../runs/store.ts';
import { setServiceLogUsage } from '../services/store.ts';
import type { LogStream } from '../tables.ts';
import type { LogBus } from './bus.ts';
import type { Redactor } from './redact.ts';
import { insertLogLines } from './store.ts';

const MAX_LINE_CHARS = 16 * 1024;
const FLUSH_MS = 100;
const FLUSH_LINES = 500;

type Entry = { owner_id: string; seq: number; at: Date; stream: LogStream; text: string };

export type LogSink = {
  write(stream: 'stdout' | 'stderr', chunk: Buffer): void;
  /** A line from the platform itself (e.g. "install exited with code 1"). */
  system(text: string): void;
  /** Writes what is buffered, partial lines included; resolves once it is committed. */
  close(): Promise<void>;
};

export function createLogSink(deps: {
  db: Kysely<DB>;
  bus: LogBus;
  owner: { table: 'agent_runs' | 'agent_services'; id: string };
  maxBytes: number;
  redactor: Redactor;
  onError(error: unknown): void;
  /** Where numbering and the byte count continue from (a restarted service keeps its log). */
  start?: { seq: number; bytes: number; truncated: boolean };
}): LogSink {
  const { db, owner, redactor } = deps;
  let seq = deps.start?.seq ?? 0;
  let bytes = deps.start?.bytes ?? 0;
  let truncated = deps.start?.truncated ?? false;
  let pending: Entry[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };

  /** Queues one line, already redacted. */
  const push = (stream: LogStream, text: string) => {
    if (truncated) return;
    const size = Buffer.byteLength(text) + 1;
    if (bytes + size > deps.maxBytes) {
      truncated = true;
      pending.push({
        owner_id: owner.id,
        seq: ++seq,
        at: new Date(),
        stream: 'system',
        text: `log truncated: output beyond ${deps.maxBytes} bytes was dropped (ATOLL_RUN_LOG_BYTES)`,
      });
    } else {
      bytes += size;
      pending.push({ owner_id: owner.id, seq: ++seq, at: new Date(), stream, text });
    }
    schedule();
  };

  const schedule = () => {
    if (pending.length >= FLUSH_LINES) void flush();
    else if (!timer) timer = setTimeout(() => void flush(), FLUSH_MS);
  };

  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return writing;
    const batch = pending;
    pending = [];
    const state = { bytes, truncated };
    writing = writing.then(async () => {
      try {
        await db.transaction().execute(async (tx) => {
          await insertLogLines(tx, batch);
          if (owner.table === 'agent_runs') await setRunLogUsage(tx, owner.id, state);
          else await setServiceLogUsage(tx, owner.id, state);
        });
        deps.bus.announce(owner.id);
      } catch (error) {
        deps.onError(error);
      }
    });
    return writing;
  };

  /** Emits the complete lines of a stream's buffer; `final` also emits the unterminated rest. */
  const drain = (stream: 'stdout' | 'stderr', final: boolean) => {
    let buffer = partial[stream];
    for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
      emitLine(stream, buffer.slice(0, nl).replace(/\r$/, ''));
      buffer = buffer.slice(nl + 1);
    }
    // A line with no end in sight goes out in chunks, keeping enough of its tail that a secret
    // straddling the cut is still whole (and redacted) in the next chunk.
    const keep = Math.max(redactor.longest - 1, 0);
    while (buffer.length >= MAX_LINE_CHARS + keep) {
      const cut = buffer.length - keep;
      const piece = redactor.apply(buffer.slice(0, cut));
      buffer = buffer.slice(cut);
      emitLine(stream, piece);
    }
    if (final && buffer.length > 0) {
      emitLine(stream, buffer);
      buffer = '';
    }
    partial[stream] = buffer;
  };

  const emitLine = (stream: LogStream, line: string) => {
    // Postgres text cannot hold U+0000 (one in a batch would lose the whole batch): show it as U+FFFD,
    // as the UTF-8 decoder shows bytes that are not UTF-8.
    const text = redactor.apply(line.replaceAll('\0', '\ufffd'));
    for (let i = 0; i < text.length || i === 0; i += MAX_LINE_CHARS) {
      push(stream, text.slice(i, i + MAX_LINE_CHARS));
      if (text.length === 0) break;
    }
  };

  return {
    write(stream, chunk) {
      partial[stream] += decoders[stream].write(chunk);
      drain(stream, false);
    },
    system(text) {
      for (const line of text.split('\n')) push('system', line);
    },
    async close() {
      for (const stream of ['stdout', 'stderr'] as const) {
        partial[stream] += decoders[stream].end();
        drain(stream, true);
      }
      await flush();
    },
  };
}
