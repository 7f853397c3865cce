/**
 * Idempotency keys (`idempotency-key`, 1–64 characters), wrapped around a route handler so that it runs
 * after authentication and validation. Scope: (workspace — or the JWT subject for workspace-less routes —,
 * operation, key). The first request executes; a replay gets the first status, headers and body back
 * byte for byte (plus `idempotent-replayed: true`); the same key with another request is 409. A twin that
 * arrives while the first is still executing waits for it and then gets the replay (up to 65 s, after
 * which it gets 409 and may retry). Responses with secrets (a new API token) are stored encrypted
 * under a key derived from the caller's own credential, which is never stored. 4xx outcomes are kept
 * like successes; an unexpected failure (5xx) before any write releases the key so a retry executes.
 *
 * The handler runs behind a write fence (src/db/write-fence.ts): its first write marks the record
 * `wrote` in the same transaction. When the process executing a request dies, a retry finds its claim
 * lapsed within seconds and executes the request again only if it had written nothing; otherwise (and
 * after a 5xx that followed a write) the outcome is unknown and the retry gets a 409 saying so. A
 * request is never executed twice. See docs/api-conventions.md.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import type { Context, Handler } from 'hono';
import { runFenced } from '../db/write-fence.ts';
import { canonicalJson } from '../lib/canonical-json.ts';
import type { AppEnv } from './context.ts';
import { ApiError, badRequest } from './errors.ts';
import { renderForRequest } from './route-statuses.ts';
import type { ClaimResult, IdempotencyRecordKey, StoredResponse } from './idempotency-store.ts';

export type IdempotencyOptions = {
  /** Operation name scoping the key, e.g. "apiTokens.create". */
  operation: string;
  /** Reject requests without a key (400) instead of executing them unprotected. */
  required?: boolean;
  /** The response carries a secret: store it encrypted under the caller's credential. */
  secret?: boolean;
  /**
   * The request body carries secrets (write-only env values): the stored fingerprint is an HMAC under
   * this server key instead of a plain SHA-256, so it cannot be used to guess them.
   */
  fingerprintKey?: Buffer;
};

const MAX_WAIT_MS = 65_000;
const KEY_PATTERN = /^[\x21-\x7e]{1,64}$/;
const REPLAYED_HEADERS = ['content-type', 'location', 'etag'];

/** Wraps a handler with idempotency-key semantics; without a key (and not required) it just runs it. */
export function idempotent<H extends Handler<AppEnv, any, any, any>>(
  options: IdempotencyOptions,
  handler: H,
): H {
  const wrapped = async (c: Context<AppEnv>, next: () => Promise<void>) => {
    const key = c.req.header('idempotency-key');
    if (key === undefined) {
      if (options.required) {
        throw badRequest(
          ['header', 'idempotency-key'],
          'this operation requires an idempotency-key header (1–64 characters)',
        );
      }
      return handler(c, next);
    }
    if (!KEY_PATTERN.test(key)) {
      throw badRequest(
        ['header', 'idempotency-key'],
        'idempotency-key must be 1–64 visible ASCII characters',
      );
    }
    const id: IdempotencyRecordKey = {
      scope: c.var.workspaceId ?? `sub:${c.var.caller.subject}`,
      operation: options.operation,
      key,
    };
    const store = c.var.idempotency;
    const requestHash = await fingerprint(c, options.fingerprintKey);
    let claim: ClaimResult | undefined = await store.claim(id, requestHash);
    const deadline = Date.now() + MAX_WAIT_MS;
    for (let delay = 5; claim?.kind === 'in_flight'; delay = Math.min(delay * 2, 100)) {
      if (Date.now() > deadline) {
        throw new ApiError(
          'IDEMPOTENCY_CONFLICT',
          {
            message: 'a request with this idempotency-key is still being processed; retry later',
            path: ['header', 'idempotency-key'],
          },
          { retryable: true },
        );
      }
      await new Promise((r) => setTimeout(r, delay));
      claim = (await store.peek(id, requestHash)) ?? (await store.claim(id, requestHash));
    }
    switch (claim?.kind) {
      case 'mismatch':
        throw mismatch();
      case 'done':
        return replay(c, id, claim.response, options);
      case 'interrupted':
        throw new ApiError('IDEMPOTENCY_CONFLICT', {
          message:
            'the first request with this idempotency-key was interrupted (its server stopped, or it failed) after ' +
            'it had begun making changes, so it is not executed again and its outcome is unknown: look at the ' +
            'resource it was to create or change, and use a new key for a new request',
          path: ['header', 'idempotency-key'],
        });
      case 'claimed':
        return execute(c, next, id, handler, options);
      default:
        throw new Error(`unexpected idempotency claim ${JSON.stringify(claim)}`);
    }
  };
  return wrapped as unknown as H;
}

async function execute(
  c: Context<AppEnv>,
  next: () => Promise<void>,
  id: IdempotencyRecordKey,
  handler: Handler<AppEnv, any, any, any>,
  options: IdempotencyOptions,
): Promise<Response> {
  const store = c.var.idempotency;
  let wrote = false;
  const fence = {
    guard: () => store.guard(id),
    written: () => (wrote = true),
    // Our claim lapsed (this process stalled) and a retry took it over before we changed anything.
    refused: () =>
      new ApiError(
        'IDEMPOTENCY_CONFLICT',
        {
          message:
            'this request took too long to keep its claim on the idempotency-key and a retry took it over; ' +
            'it was stopped before changing anything: retry to get the outcome',
          path: ['header', 'idempotency-key'],
        },
        { retryable: true },
      ),
  };
  let response: Response;
  try {
    response = await runFenced(fence, async () => (await handler(c, next)) as Response);
  } catch (error) {
    // A retryable refusal (429 capacity_exceeded) is not an outcome to replay: the retry should execute.
    if (error instanceof ApiError && error.httpStatus < 500 && !error.retryable) {
      const rendered = renderForRequest(c, error);
      response = Response.json(rendered.body, { status: rendered.status, headers: rendered.headers });
    } else {
      await giveUp(c, id, wrote);
      throw error;
    }
  }
  if (response.status >= 500) {
    await giveUp(c, id, wrote);
    return response;
  }
  const body = await response.clone().text();
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  const recorded = await store.finish(id, {
    status: response.status,
    headers,
    body: options.secret ? seal(c.var.caller.secret, id, body) : body,
    encrypted: options.secret === true,
  });
  if (!recorded)
    c.var.log.warn(
      { idempotency_key: id.key },
      'the idempotency claim was taken over; the response is not recorded',
    );
  return response;
}

/**
 * After an unexpected failure: a request that changed nothing releases its key (a retry executes it);
 * one that had begun writing may have had effects, so a retry is told its outcome is unknown instead.
 */
async function giveUp(c: Context<AppEnv>, id: IdempotencyRecordKey, wrote: boolean): Promise<void> {
  const store = c.var.idempotency;
  await (wrote ? store.abandon(id) : store.release(id)).catch((e) =>
    c.var.log.error({ err: e }, 'could not give up the idempotency key'),
  );
}

function replay(
  c: Context<AppEnv>,
  id: IdempotencyRecordKey,
  stored: StoredResponse,
  options: IdempotencyOptions,
): Response {
  let body = stored.body;
  if (stored.encrypted) {
    const opened = open(c.var.caller.secret, id, body);
    if (opened === undefined) {
      throw new ApiError('IDEMPOTENCY_CONFLICT', {
        message: 'this idempotency-key was used by another credential; use a new key',
        path: ['header', 'idempotency-key'],
      });
    }
    body = opened;
  } else if (options.secret) {
    throw mismatch();
  }
  const headers = new Headers(stored.headers);
  headers.set('idempotent-replayed', 'true');
  return new Response(stored.status === 204 ? null : body, { status: stored.status, headers });
}

function mismatch(): ApiError {
  return new ApiError('IDEMPOTENCY_CONFLICT', {
    message: 'this idempotency-key was already used for a different request; use a new key for a new request',
    path: ['header', 'idempotency-key'],
  });
}

const JSON_BODY = /^application\/([\w.-]+\+)?json\s*(;|$)/i;
const BINARY_BODY = /^application\/(x-tar|gzip|x-gzip|octet-stream)\b/i;

/**
 * SHA-256 (or HMAC-SHA-256 under `key`) over the method, path with query, and the body as canonical
 * JSON (key order ignored).
 */
async function fingerprint(c: Context<AppEnv>, key?: Buffer): Promise<string> {
  const url = new URL(c.req.url);
  // The headers tell whether there is a body without making the Node adapter build a body stream;
  // requests made in-process carry no content-length, so for them look at the body itself.
  const declared =
    c.req.header('content-length') !== undefined || c.req.header('transfer-encoding') !== undefined;
  const hasBody = c.req.method !== 'GET' && c.req.method !== 'HEAD' && (declared || c.req.raw.body !== null);
  const hash = (key ? createHmac('sha256', key) : createHash('sha256')).update(
    `${c.req.method} ${url.pathname}${url.search}\n`,
  );
  // Binary uploads are hashed as bytes (reading them as text first would corrupt them for the handler).
  if (hasBody && BINARY_BODY.test(c.req.header('content-type') ?? '')) {
    return hash.update(new Uint8Array(await c.req.arrayBuffer())).digest('hex');
  }
  // A JSON body was parsed (and checked) once by the input guard, which hands the value on: reuse it.
  if (hasBody && JSON_BODY.test(c.req.header('content-type') ?? '')) {
    try {
      return hash.update(canonicalJson(await c.req.json())).digest('hex');
    } catch {
      // not JSON after all: fall back to the text below
    }
  }
  const text = hasBody ? await c.req.text() : '';
  let canonical = text;
  if (text.trim() !== '') {
    try {
      canonical = canonicalJson(JSON.parse(text));
    } catch {
      // not JSON: the raw bytes are the fingerprint
    }
  }
  return hash.update(canonical).digest('hex');
}

function keyFor(secret: string, id: IdempotencyRecordKey): Buffer {
  return Buffer.from(
    hkdfSync('sha256', secret, 'atoll-idempotency-v1', `${id.scope}\n${id.operation}\n${id.key}`, 32),
  );
}

function seal(secret: string, id: IdempotencyRecordKey, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(secret, id), iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
}

function open(secret: string, id: IdempotencyRecordKey, sealed: string): string | undefined {
  try {
    const raw = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', keyFor(secret, id), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
