/**
 * GET /v1/agent_events:stream as Server-Sent Events. Each event is a frame
 * `id: <cursor>` / `event: <type>` / `data: <AgentEvent JSON>`; a client resumes with `after` or the
 * Last-Event-ID header. follow=false sends what exists and ends with an `event: end` frame; follow=true
 * stays open, delivers new events as they are appended, and sends a comment every heartbeat interval.
 * Catching up from a cursor goes at the consumer's pace, however far behind it starts (src/events/fanout.ts
 * says how it hands over to live delivery without a gap or a repeat); it goes live once at least half of
 * its buffer is free. Live, a consumer that falls too far behind (its unread frames exceed the buffer) is
 * sent a final `event: overflow` frame carrying the cursor to resume from, and the stream closes: no event
 * is skipped.
 * (A server-side failure ends the stream with an `event: failure` frame carrying the cursor.)
 * When the server shuts down, every stream ends with `retry: 1000` and an `event: shutdown` frame carrying
 * the cursor, so that clients (a browser EventSource on its own) reconnect, to another server, from there.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { formatSseComment, formatSseFrame, sseResponse } from '../http/sse.ts';
import type { Fanout, Subscriber } from './fanout.ts';
import { cursorOf, toAgentEvent } from './resources.ts';
import { readAfter, type EventFilter, type EventRow } from './store.ts';

export type StreamSettings = { heartbeatMs: number; bufferBytes: number };

export type StreamRequest = {
  workspaceId: string;
  filter: EventFilter;
  after: number;
  follow: boolean;
  /** With follow=false, the most events sent. */
  limit: number | undefined;
  signal: AbortSignal;
};

const PAGE = 100;

export function sseFrame(row: EventRow): string {
  const event = toAgentEvent(row);
  return formatSseFrame({ id: event.cursor, event: event.type, data: JSON.stringify(event) });
}

export function eventStream(
  deps: {
    db: Kysely<DB>;
    fanout: Fanout;
    settings: StreamSettings;
    /** Aborted when the server shuts down: the stream ends with an `event: shutdown` frame. */
    stopping?: AbortSignal;
  },
  request: StreamRequest,
): Response {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  let heartbeat: NodeJS.Timeout | undefined;
  let cursor: string | null = request.after > 0 ? cursorOf(request.after) : null;
  let sent = 0;
  // Aborted when the stream closes, whoever closes it (the client, an overflow, the end).
  const stop = new AbortController();
  const waitingForRoom: Array<{ share: number; resolve: () => void }> = [];
  const roomAvailable = () => {
    for (const waiter of waitingForRoom.splice(0)) {
      if (subscriber.hasRoom(waiter.share)) waiter.resolve();
      else waitingForRoom.push(waiter);
    }
  };

  const close = () => {
    if (closed) return;
    closed = true;
    stop.abort();
    roomAvailable();
    clearInterval(heartbeat);
    deps.fanout.detach(request.workspaceId, subscriber);
    request.signal.removeEventListener('abort', close);
    deps.stopping?.removeEventListener('abort', shutdown);
    try {
      controller.close();
    } catch {
      // already closed by the consumer
    }
  };
  const write = (text: string) => {
    if (!closed) controller.enqueue(encoder.encode(text));
  };
  const control = (event: string, data: Record<string, unknown>, retry?: number) =>
    write(formatSseFrame({ ...(retry === undefined ? {} : { retry }), event, data: JSON.stringify(data) }));
  function shutdown() {
    control(
      'shutdown',
      {
        cursor,
        message:
          'the server is shutting down; reconnect with after (or Last-Event-ID) set to cursor to continue',
      },
      1000,
    );
    close();
  }

  const subscriber: Subscriber = {
    filter: request.filter,
    watermark: request.after,
    deliver(row, live) {
      if (closed) return false;
      write(sseFrame(row));
      cursor = cursorOf(row.position);
      sent++;
      if (live && (controller.desiredSize ?? 0) < 0) {
        control('overflow', {
          cursor,
          message: 'the client is reading too slowly; reconnect with after (or Last-Event-ID) set to cursor',
        });
        close();
        return false;
      }
      return true;
    },
    hasRoom(share) {
      if (closed) return true;
      const free = controller.desiredSize ?? 0;
      return free > 0 && free >= share * deps.settings.bufferBytes;
    },
    room(share) {
      if (subscriber.hasRoom(share)) return Promise.resolve();
      return new Promise((resolve) => waitingForRoom.push({ share, resolve }));
    },
  };

  const body = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull() {
        roomAvailable();
      },
      cancel() {
        close();
      },
    },
    { highWaterMark: deps.settings.bufferBytes, size: (chunk) => chunk.byteLength },
  );
  request.signal.addEventListener('abort', close);
  deps.stopping?.addEventListener('abort', shutdown);
  if (request.signal.aborted) close();

  const run = async () => {
    write(formatSseFrame({ retry: 1000 }));
    if (deps.stopping?.aborted) return shutdown();
    if (!request.follow) {
      const max = request.limit ?? Number.POSITIVE_INFINITY;
      let hasMore = false;
      for (;;) {
        const want = Math.min(PAGE, max - sent);
        const page = await readAfter(
          deps.db,
          request.workspaceId,
          request.filter,
          subscriber.watermark,
          want,
        );
        for (const row of page.rows) {
          await subscriber.room(0);
          subscriber.watermark = row.position;
          if (!subscriber.deliver(row, false)) return;
        }
        if (sent >= max) {
          const next = await readAfter(deps.db, request.workspaceId, request.filter, subscriber.watermark, 1);
          hasMore = next.rows.length > 0;
          break;
        }
        if (!page.more) break;
      }
      control('end', { cursor, has_more: hasMore });
      close();
      return;
    }
    heartbeat = setInterval(() => write(formatSseComment('heartbeat')), deps.settings.heartbeatMs);
    await deps.fanout.attach(request.workspaceId, subscriber, stop.signal);
  };
  run().catch(() => {
    control('failure', {
      cursor,
      message: 'the stream failed on the server; reconnect with after set to cursor',
    });
    close();
  });

  return sseResponse(body);
}
