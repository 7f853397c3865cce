/**
 * The one Server-Sent Events writer: the headers every stream is served with and the bytes of its frames.
 * The agent event stream (src/events/stream.ts) and the run and service log streams
 * (src/deployments/logs/service.ts) build their own bodies (each paces itself differently) but write
 * every frame, comment and response through here, so clients meet one wire format. docs/api-conventions.md
 * ("Server-Sent Events") describes it.
 */

/**
 * The headers of every SSE response: no caching or transforming proxy in between (a compressing proxy
 * would hold frames back), no buffering by nginx, and a connection kept open.
 */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

export type SseFrame = {
  /** The reconnection delay, in milliseconds, the client should use from now on. */
  retry?: number;
  /** The cursor a client resumes from (sent back as Last-Event-ID). */
  id?: string;
  event?: string;
  /** Usually one line of JSON; line breaks become separate `data:` lines, as the format requires. */
  data?: string;
};

const LINE_BREAK = /\r\n|\r|\n/;

/** A frame: its `retry:`, `id:`, `event:` and `data:` lines, in that order, then a blank line. */
export function formatSseFrame(frame: SseFrame): string {
  let text = '';
  if (frame.retry !== undefined) text += `retry: ${Math.trunc(frame.retry)}\n`;
  if (frame.id !== undefined) text += `id: ${oneLine(frame.id)}\n`;
  if (frame.event !== undefined) text += `event: ${oneLine(frame.event)}\n`;
  if (frame.data !== undefined) for (const line of frame.data.split(LINE_BREAK)) text += `data: ${line}\n`;
  return `${text}\n`;
}

/** A comment frame (`: text`), which clients ignore: the keep-alive heartbeat. */
export function formatSseComment(text: string): string {
  return `: ${oneLine(text)}\n\n`;
}

/** A 200 response streaming `body` with the SSE headers. */
export function sseResponse(body: ReadableStream<Uint8Array>): Response {
  return new Response(body, { status: 200, headers: { ...SSE_HEADERS } });
}

/** An id or event name with a line break would end its field early: line breaks become spaces. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
