/**
 * Server-Sent Events over fetch (so the credential travels in a header, never in the URL), in Node 20+
 * and browsers alike: `readSse` parses one response body; `followSse` keeps a stream going across
 * disconnects, server restarts (`event: shutdown`), overflows (`event: overflow`) and failures on the
 * server's side (`event: failure`), resuming each time with Last-Event-ID, so no event is lost or
 * repeated. It ends at `event: end` (what a stream sends when there is nothing more to follow), quietly
 * when `signal` aborts, or on an error answer (AtollApiError).
 */
import type { AtollClient } from './client.ts';
import { AtollApiError } from './errors.ts';

export type SseFrame = { id: string | undefined; event: string; data: string };

/** The frames of one event-stream body, in order (comments and `retry:` lines are skipped). */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseFrame> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let id: string | undefined;
  let event = '';
  let data: string[] = [];
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (data.length > 0 || event) yield { id, event: event || 'message', data: data.join('\n') };
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const raw = colon < 0 ? '' : line.slice(colon + 1);
        const text = raw.startsWith(' ') ? raw.slice(1) : raw;
        if (field === 'data') data.push(text);
        else if (field === 'event') event = text;
        else if (field === 'id') id = text;
      }
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => {});
  }
}

export type FollowOptions = {
  /** Resume after this event id (what the last frame's `id` was). */
  lastEventId?: string;
  signal?: AbortSignal;
  /** Wait before reconnecting (default 1000 ms). */
  retryMs?: number;
  /** Called before each reconnect, with why the stream ended. */
  onReconnect?: (reason: string) => void;
};

/**
 * Frames that end a stream for the server's reasons (a restart, a slow reader, a failure on its side);
 * the follower reconnects after them, from the last event it yielded.
 */
const RECONNECT_EVENTS = new Set(['shutdown', 'overflow', 'failure']);

/**
 * Follows the event-stream at `path` (with its query), reconnecting with Last-Event-ID until an
 * `event: end` frame (yielded, then done) or the signal aborts.
 */
export async function* followSse(
  client: AtollClient,
  path: string,
  options: FollowOptions = {},
): AsyncGenerator<SseFrame> {
  let lastEventId = options.lastEventId;
  const retryMs = options.retryMs ?? 1000;
  while (!options.signal?.aborted) {
    let reason: string;
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream', ...client.authHeaders() };
      if (lastEventId) headers['last-event-id'] = lastEventId;
      const response = await client.fetch(`${client.baseUrl}${path}`, {
        headers,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (!response.ok || !response.body) {
        const text = await response.text();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {}
        // 5xx and 429 are the server's trouble, not the request's: wait and reconnect.
        if (response.status < 500 && response.status !== 429) throw new AtollApiError(response.status, body);
        reason = `HTTP ${response.status}`;
      } else {
        reason = 'the stream closed';
        for await (const frame of readSse(response.body)) {
          if (frame.id) lastEventId = frame.id;
          if (frame.event === 'end') {
            yield frame;
            return;
          }
          if (RECONNECT_EVENTS.has(frame.event)) {
            reason = `the server sent ${frame.event}`;
            break;
          }
          yield frame;
        }
      }
    } catch (error) {
      if (options.signal?.aborted) return;
      if (error instanceof AtollApiError) throw error;
      reason = (error as Error).message;
    }
    if (options.signal?.aborted) return;
    options.onReconnect?.(reason);
    await sleep(retryMs, options.signal);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
