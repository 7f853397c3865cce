/**
 * Runs `git http-backend` as a CGI for one request: the request body goes to its stdin, its stdout is
 * a CGI header block (`Status:` and headers, then a blank line) followed by the body, which is streamed
 * back as the Response body. The child is killed when the client goes away, when the body fails or is
 * too large, and when the response stream is cancelled, so no git process outlives its request.
 */
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GitError } from './errors.ts';
import { gitEnvironment, type GitSetup } from './run.ts';

const MAX_HEADER_BYTES = 64 * 1024;
const STDERR_CAP = 16 * 1024;

export type CgiRequest = {
  setup: GitSetup;
  /** Per-request git config (e.g. whether receive-pack is enabled). */
  config: Record<string, string>;
  /** The CGI meta-variables (GIT_PROJECT_ROOT, PATH_INFO, REQUEST_METHOD, QUERY_STRING, …). */
  variables: Record<string, string>;
  /** The request body, already checked and inflated; null for none. */
  body: AsyncIterable<Buffer> | null;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
  /** Called once if http-backend fails (a non-zero exit), with its stderr. */
  onFailure?: (error: GitError) => void;
  /**
   * Awaited once git exited successfully, before the response body ends: what it does (e.g. recording
   * a push) is done by the time the client sees the request complete. It must not throw.
   */
  onSuccess?: () => Promise<void>;
};

/** The response, or the error that kept the body from reaching git (e.g. BodyTooLargeError). */
export type CgiResult = { ok: true; response: Response } | { ok: false; bodyError: unknown };

type Header = { status: number; headers: Headers; rest: Buffer };

async function readHeader(stdout: AsyncIterator<Buffer>): Promise<Header> {
  let buffer = Buffer.alloc(0);
  for (;;) {
    const crlf = buffer.indexOf('\r\n\r\n');
    const lf = buffer.indexOf('\n\n');
    const end =
      crlf >= 0 && (lf < 0 || crlf < lf) ? { at: crlf, size: 4 } : lf >= 0 ? { at: lf, size: 2 } : null;
    if (end) {
      const headers = new Headers();
      let status = 200;
      for (const line of buffer.toString('latin1', 0, end.at).split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
        else headers.append(name, value);
      }
      return { status, headers, rest: buffer.subarray(end.at + end.size) };
    }
    if (buffer.length > MAX_HEADER_BYTES) throw new Error('git http-backend sent an oversized CGI header');
    const next = await stdout.next();
    if (next.done) throw new Error('git http-backend ended before its CGI header');
    buffer = Buffer.concat([buffer, next.value]);
  }
}

/** http-backend closed its stdin early (it refused the request): its own answer says why. */
function stoppedReading(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EPIPE' || code === 'ECONNRESET';
}

export async function runHttpBackend(request: CgiRequest): Promise<CgiResult> {
  const args = ['http-backend'];
  const child = spawn(request.setup.git, args, {
    env: gitEnvironment(request.setup, request.config, request.variables),
    stdio: ['pipe', 'pipe', 'pipe'],
    // Its own process group, so that killing it also kills the upload-pack and pack-objects it runs:
    // they hold its stdout, and left alive they would block writing to a pipe nobody reads any more.
    detached: true,
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    if (stderr.length < STDERR_CAP) stderr += chunk.slice(0, STDERR_CAP - stderr.length);
  });
  const exited = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>(
    (resolve) => {
      child.once('error', (spawnError) => resolve({ exitCode: null, signal: null, spawnError }));
      child.once('close', (exitCode, signal) => resolve({ exitCode, signal }));
    },
  );
  let killed = false;
  const kill = () => {
    killed = true;
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // the group is gone already
      }
    }
    child.stdout.destroy();
  };
  const abort = () => kill();
  if (request.signal.aborted) kill();
  request.signal.addEventListener('abort', abort, { once: true });
  const failure = exited.then(({ exitCode, signal, spawnError }) => {
    request.signal.removeEventListener('abort', abort);
    if (exitCode === 0 || killed) return undefined;
    const error = new GitError(args, { exitCode, signal, stderr: spawnError?.message ?? stderr });
    request.onFailure?.(error);
    return error;
  });

  child.stdin.on('error', () => {}); // http-backend may stop reading early (a refused request)
  // The whole body goes in before the answer is returned: git's stateless services read their request
  // completely before answering, so this cannot block, and a body that turns out too large is a clean 413.
  let bodyError: unknown;
  if (request.body) {
    try {
      await pipeline(Readable.from(request.body), child.stdin);
    } catch (error) {
      bodyError = error;
    }
  } else {
    child.stdin.end();
  }
  const stdout = child.stdout[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let header: Header;
  try {
    header = await readHeader(stdout);
  } catch (error) {
    kill();
    await exited;
    if (bodyError !== undefined && !stoppedReading(bodyError)) return { ok: false, bodyError };
    throw (await failure) ?? error;
  }
  if (bodyError !== undefined && !stoppedReading(bodyError)) {
    // The body broke (too large, client gone) while git was still waiting for it.
    kill();
    return { ok: false, bodyError };
  }

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (header.rest.length > 0) controller.enqueue(header.rest);
    },
    async pull(controller) {
      try {
        const next = await stdout.next();
        if (!next.done) return controller.enqueue(next.value);
        const error = await failure;
        if (error) return controller.error(error);
        if (!killed) await request.onSuccess?.();
        controller.close();
      } catch (error) {
        kill();
        controller.error(error);
      }
    },
    cancel() {
      kill();
    },
  });
  return { ok: true, response: new Response(body, { status: header.status, headers: header.headers }) };
}
