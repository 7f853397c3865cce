/**
 * HTTP to one registry for one pull: global fetch (undici) under one deadline, redirects followed by
 * hand so the Authorization header never leaves the origin it was meant for (registries redirect blob
 * downloads to object storage on another host), bodies read with a byte cap, and network failures
 * turned into OciError('unreachable') messages that name the host, the cause and, for TLS failures, the
 * likely fix. Nothing here is kept across pulls.
 */
import { OciError } from './oci-error.ts';

const MAX_REDIRECTS = 5;
/** Enough for any registry's error document; the rest is not read. */
const MAX_ERROR_BODY = 16 * 1024;

export type Deadline = {
  /** Aborts on the timeout or the caller's signal. */
  signal: AbortSignal;
  /** The caller's signal: its abort is rethrown as is, not turned into an OciError. */
  caller: AbortSignal | undefined;
  timeoutMs: number;
};

export function deadline(timeoutMs: number, caller?: AbortSignal): Deadline {
  const timeout = AbortSignal.timeout(timeoutMs);
  return { signal: caller ? AbortSignal.any([timeout, caller]) : timeout, caller, timeoutMs };
}

const TLS_CODES =
  /^(ERR_SSL_|ERR_TLS_|EPROTO$|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_|ERR_SSL)/;

/** The innermost useful cause of a fetch failure: `ECONNREFUSED connect ECONNREFUSED 127.0.0.1:1`. */
function causeOf(error: unknown): { code: string | undefined; text: string } {
  let current: unknown = error;
  // fetch wraps the socket error in `cause`; happy eyeballs wraps several in an AggregateError.
  for (let i = 0; i < 4; i++) {
    const next = (current as { cause?: unknown })?.cause;
    if (next instanceof AggregateError && next.errors.length > 0) current = next.errors[0];
    else if (next instanceof Error) current = next;
    else break;
  }
  if (current instanceof AggregateError && current.errors.length > 0) current = current.errors[0];
  const code = (current as { code?: unknown })?.code;
  const message = current instanceof Error ? current.message : String(current);
  return { code: typeof code === 'string' ? code : undefined, text: message || String(code ?? 'error') };
}

/** Rethrows the caller's abort; anything else becomes OciError('unreachable') naming `host`. */
export function networkError(error: unknown, url: URL, time: Deadline): never {
  if (error instanceof OciError) throw error;
  if (time.caller?.aborted) throw time.caller.reason;
  if (time.signal.aborted)
    throw new OciError(
      'unreachable',
      `${url.host} did not answer within ${Math.round(time.timeoutMs / 1000)} s; check that the registry is up and reachable from the Atoll server`,
    );
  const { code, text } = causeOf(error);
  let hint = 'check the host name and port, and that the Atoll server can reach it';
  if (url.protocol === 'https:' && code !== undefined && TLS_CODES.test(code)) {
    hint = `the TLS handshake over https failed; if the registry serves plain HTTP, add ${url.host} to ATOLL_OCI_PLAIN_HTTP (comma-separated host:port), and if its certificate comes from a private CA, give the server that CA (NODE_EXTRA_CA_CERTS)`;
  } else if (url.protocol === 'http:' && (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET')) {
    hint = `it was asked over plain HTTP (a loopback address, or listed in ATOLL_OCI_PLAIN_HTTP); check that it does not serve only HTTPS`;
  }
  throw new OciError(
    'unreachable',
    `could not reach ${url.host} over ${url.protocol.slice(0, -1)} (${text}): ${hint}`,
  );
}

/**
 * GET `url`, following redirects (at most 5), sending `authorization` only to `authOrigin` — never to a
 * host a redirect leads to. The response is returned unread, whatever its status.
 */
export async function get(
  url: URL,
  headers: Record<string, string>,
  auth: { origin: string; authorization: string | undefined },
  time: Deadline,
): Promise<{ response: Response; url: URL }> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const send: Record<string, string> = { ...headers };
    if (auth.authorization && current.origin === auth.origin) send.authorization = auth.authorization;
    let response: Response;
    try {
      response = await fetch(current, { headers: send, redirect: 'manual', signal: time.signal });
    } catch (error) {
      networkError(error, current, time);
    }
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || response.status === 304 || !location)
      return { response, url: current };
    await discard(response);
    if (hop >= MAX_REDIRECTS)
      throw new OciError(
        'registry_error',
        `${url.host} redirected more than ${MAX_REDIRECTS} times for ${url.pathname}`,
      );
    const next = new URL(location, current);
    if (next.protocol !== 'https:' && next.protocol !== 'http:')
      throw new OciError(
        'registry_error',
        `${current.host} redirected to a ${next.protocol} address, which is not fetched`,
      );
    current = next;
  }
}

/** Drops a body we do not need (so the connection can be reused). */
export async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // already closed
  }
}

/**
 * Reads a body up to `max` bytes; past it, stops reading and calls `tooLarge` (which throws). A
 * Content-Length over the cap is refused before anything is read.
 */
export async function readCapped(
  response: Response,
  max: number,
  tooLarge: () => never,
  url: URL,
  time: Deadline,
): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) {
    await discard(response);
    tooLarge();
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > max) {
        await reader.cancel().catch(() => {});
        tooLarge();
      }
      chunks.push(value);
    }
  } catch (error) {
    networkError(error, url, time);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** The registry's own explanation from an OCI error document (`errors[0]`), cut short, if any. */
export async function registryMessage(
  response: Response,
  url: URL,
  time: Deadline,
): Promise<{ code: string | undefined; message: string | undefined }> {
  let text: string;
  try {
    text = new TextDecoder().decode(
      await readCapped(
        response,
        MAX_ERROR_BODY,
        () => {
          throw new OciError('registry_error', 'error body too large');
        },
        url,
        time,
      ),
    );
  } catch (error) {
    if (error instanceof OciError) return { code: undefined, message: undefined };
    throw error;
  }
  try {
    const first = (JSON.parse(text) as { errors?: Array<{ code?: unknown; message?: unknown }> }).errors?.[0];
    const code = typeof first?.code === 'string' ? first.code : undefined;
    const message = typeof first?.message === 'string' ? first.message.slice(0, 300) : undefined;
    return { code, message };
  } catch {
    return { code: undefined, message: undefined };
  }
}
