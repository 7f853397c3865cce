/**
 * A raw Server-Sent Events reader for tests over a real socket: frames as they arrive, and control over
 * the connection (pause it, drop it), which `fetch` does not give.
 */
import http from 'node:http';

export type Frame = { id?: string; event?: string; data?: string; retry?: string; comment?: string };

export type SseReader = ReturnType<typeof openSse>;

export function openSse(url: string, token: string, headers: Record<string, string> = {}) {
  const frames: Frame[] = [];
  const waiters: Array<() => void> = [];
  let response: http.IncomingMessage | undefined;
  let ended = false;
  let error: unknown;
  const finish = (cause?: unknown) => {
    if (ended) return;
    ended = true;
    error = cause;
    for (const w of waiters.splice(0)) w();
  };
  const request = http.get(url, { headers: { authorization: `Bearer ${token}`, ...headers } });
  const ready = new Promise<number>((resolve, reject) => {
    request.on('response', (res) => {
      response = res;
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const raw = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const frame: Frame = {};
          for (const line of raw.split('\n')) {
            if (line.startsWith(':')) frame.comment = line.slice(1).trim();
            else if (line.startsWith('id: ')) frame.id = line.slice(4);
            else if (line.startsWith('event: ')) frame.event = line.slice(7);
            else if (line.startsWith('data: ')) frame.data = line.slice(6);
            else if (line.startsWith('retry: ')) frame.retry = line.slice(7);
          }
          frames.push(frame);
        }
        for (const w of waiters.splice(0)) w();
      });
      res.on('end', () => finish());
      // The connection dropped before the end of the response (the server killed, not stopped).
      res.on('error', (cause) => finish(cause));
      resolve(res.statusCode ?? 0);
    });
    request.on('error', (cause) => {
      finish(cause);
      reject(cause);
    });
  });
  // A caller that never awaits `ready` must not meet an unhandled rejection; one that does still sees it.
  ready.catch(() => {});
  const events = () => frames.filter((f) => f.id !== undefined);
  const wait = () =>
    new Promise<void>((r) => {
      waiters.push(r);
      setTimeout(r, 50);
    });
  return {
    frames,
    ready,
    /** Whether the response ended, cleanly or with `error`. */
    get ended() {
      return ended;
    },
    get error() {
      return error;
    },
    /** The frames that carry an id (events or log lines), in order. */
    events,
    response: () => response,
    async until(predicate: () => boolean, ms = 5000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out; frames: ${JSON.stringify(frames.slice(-5))}`);
        await wait();
      }
    },
    /**
     * Waits until `count` frames with an id have arrived or the stream ended. Fails when no frame with an
     * id arrives for `stallMs` (progress, not wall-clock time, so a loaded machine only makes it slower).
     */
    async untilEvents(count: number, stallMs = 10_000): Promise<void> {
      let seen = events().length;
      let lastProgress = Date.now();
      while (seen < count && !ended) {
        if (Date.now() - lastProgress > stallMs)
          throw new Error(
            `the stream stalled at ${seen} of ${count} events; last frames: ${JSON.stringify(frames.slice(-3)).slice(0, 600)}`,
          );
        await wait();
        const now = events().length;
        if (now > seen) {
          seen = now;
          lastProgress = Date.now();
        }
      }
    },
    close: () => request.destroy(),
  };
}
