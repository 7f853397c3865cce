/**
 * Reading captured logs: JSON pages after a cursor (the last `seq` served), and Server-Sent Events
 * that send what exists, then follow new lines as they are committed until the run or service ends
 * (`event: end`). Each SSE frame carries `id: <seq>`, so a client resumes with Last-Event-ID or
 * `cursor` without losing or repeating a line. Same-process writers wake followers at once; lines
 * written by other processes are found by a poll every second. When the server shuts down, a stream
 * ends with `retry: 1000` and `event: shutdown` carrying the cursor to reconnect from.
 */
import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { iso } from '../../db/time.ts';
import type { AppEnv } from '../../http/context.ts';
import { badRequest } from '../../http/errors.ts';
import { formatSseComment, formatSseFrame, sseResponse } from '../../http/sse.ts';
import type { LogBus } from './bus.ts';
import { listLogLinesAfter, type LogRow } from './store.ts';

const POLL_MS = 1000;
const HEARTBEAT_MS = 15_000;
const BATCH = 500;

export type LogOwner = {
  id: string;
  /**
   * One read of the owner: whether it has ended (then every line is committed and none will follow)
   * and whether its log was truncated.
   */
  state(): Promise<{ ended: boolean; truncated: boolean }>;
};

export function parseLogCursor(cursor: string | undefined, field: string[] = ['query', 'cursor']): number {
  if (cursor === undefined || cursor === '') return 0;
  if (!/^\d{1,10}$/.test(cursor))
    throw badRequest(field, 'cursor must be the next_cursor (or an SSE id) this API returned');
  return Number(cursor);
}

const entry = (row: LogRow) => ({
  seq: row.seq,
  timestamp: iso(row.at),
  stream: row.stream,
  text: row.text,
});

export function createLogReader(deps: {
  db: Kysely<DB>;
  bus: LogBus;
  /** Aborted when the server shuts down: open streams end with an `event: shutdown` frame. */
  stopping?: AbortSignal;
}) {
  const { db } = deps;
  const after = (ownerId: string, seq: number, limit: number) => listLogLinesAfter(db, ownerId, seq, limit);

  return {
    async page(owner: LogOwner, cursor: number, limit: number) {
      // Read "ended" first: if it was over before the read, the read saw every line.
      const { ended, truncated } = await owner.state();
      const rows = await after(owner.id, cursor, limit + 1);
      const more = rows.length > limit;
      const served = more ? rows.slice(0, limit) : rows;
      const last = served.length > 0 ? served[served.length - 1]!.seq : cursor;
      return {
        items: served.map(entry),
        next_cursor: !more && ended ? null : String(last),
        truncated,
        complete: ended && !more,
      };
    },

    stream(owner: LogOwner, cursor: number, follow: boolean, signal: AbortSignal): Response {
      const encoder = new TextEncoder();
      let seq = cursor;
      let wake: (() => void) | undefined;
      // A wake-up that comes while a read is in flight is kept, not lost to the next poll.
      let woken = false;
      const unsubscribe = deps.bus.subscribe(owner.id, () => {
        woken = true;
        wake?.();
      });
      let lastSent = Date.now();
      let done = false;
      const finish = (controller: ReadableStreamDefaultController<Uint8Array>, frame: string) => {
        done = true;
        unsubscribe();
        controller.enqueue(encoder.encode(frame));
        controller.close();
      };
      const stream = new ReadableStream<Uint8Array>({
        async pull(controller) {
          while (!done) {
            if (signal.aborted) {
              done = true;
              unsubscribe();
              controller.close();
              return;
            }
            if (deps.stopping?.aborted) {
              return finish(
                controller,
                formatSseFrame({
                  retry: 1000,
                  event: 'shutdown',
                  data: JSON.stringify({
                    cursor: String(seq),
                    message:
                      'the server is shutting down; reconnect with Last-Event-ID (or cursor) set to cursor to continue',
                  }),
                }),
              );
            }
            woken = false;
            const { ended, truncated } = await owner.state();
            const rows = await after(owner.id, seq, BATCH);
            if (rows.length > 0) {
              seq = rows[rows.length - 1]!.seq;
              lastSent = Date.now();
              controller.enqueue(
                encoder.encode(
                  rows
                    .map((r) =>
                      formatSseFrame({ id: String(r.seq), event: 'log', data: JSON.stringify(entry(r)) }),
                    )
                    .join(''),
                ),
              );
              return;
            }
            if (ended || !follow) {
              return finish(
                controller,
                formatSseFrame({
                  event: 'end',
                  data: JSON.stringify({ cursor: String(seq), complete: ended, truncated }),
                }),
              );
            }
            if (Date.now() - lastSent >= HEARTBEAT_MS) {
              lastSent = Date.now();
              controller.enqueue(encoder.encode(formatSseComment('heartbeat')));
              return;
            }
            // Until a wake-up, the poll or the client leaving; whichever comes first removes the others
            // (a listener left on the request per quiet poll would pile up for as long as it follows).
            await new Promise<void>((resolve) => {
              const done = () => {
                clearTimeout(timer);
                signal.removeEventListener('abort', done);
                deps.stopping?.removeEventListener('abort', done);
                wake = undefined;
                resolve();
              };
              const timer = setTimeout(done, POLL_MS);
              signal.addEventListener('abort', done, { once: true });
              deps.stopping?.addEventListener('abort', done, { once: true });
              wake = done;
              // Woken while reading, or stopped meanwhile: look again at once.
              if (woken || deps.stopping?.aborted) done();
            });
          }
        },
        cancel() {
          done = true;
          unsubscribe();
        },
      });
      return sseResponse(stream);
    },
  };
}

export type LogReader = ReturnType<typeof createLogReader>;

/**
 * The logs route of a run or a service: SSE when the client accepts text/event-stream (resuming from
 * Last-Event-ID or `cursor`), else a JSON page.
 */
export function serveLogs(
  c: Context<AppEnv>,
  reader: LogReader,
  owner: LogOwner,
  query: { cursor?: string | undefined; limit: number; follow?: 'true' | 'false' | undefined },
): Promise<Response> | Response {
  if ((c.req.header('accept') ?? '').includes('text/event-stream')) {
    const resume = c.req.header('last-event-id');
    const cursor = parseLogCursor(resume ?? query.cursor, resume ? ['header', 'last-event-id'] : undefined);
    return reader.stream(owner, cursor, query.follow === 'true', c.req.raw.signal);
  }
  return reader.page(owner, parseLogCursor(query.cursor), query.limit).then((page) => c.json(page, 200));
}
