/**
 * Answers a guest's platform.request() inside the API process, without a socket: the request goes
 * through the same Hono app as any client's, authenticated as the caller who started the run (their own
 * bearer credential, held in memory only) and pinned to the run's workspace with akua-context, so it
 * has exactly the caller's permissions. The response body is read up to the size limit; only a few
 * response headers are shown to the guest.
 */
import { PolicyError } from './request-policy.ts';
import type { Dispatcher } from './pool.ts';
import type { BridgedResponse, RequestLimits } from './types.ts';

export type InProcessFetch = (request: Request) => Promise<Response>;

/** Who a run acts as, and how deep in snippet-runs-snippet nesting it is. */
export type PlatformIdentity = { secret: string; workspaceId: string; depth: number };

/** Header carrying the nesting depth of snippet runs started through platform.request(). */
export const DEPTH_HEADER = 'x-atoll-snippet-depth';

const EXPOSED_HEADERS = ['content-type', 'etag', 'location', 'idempotent-replayed'];

export function platformDispatcher(
  fetch: InProcessFetch,
  identity: PlatformIdentity,
  limits: RequestLimits,
): Dispatcher {
  return async (request) => {
    const headers = new Headers(request.headers);
    headers.set('authorization', `Bearer ${identity.secret}`);
    headers.set('akua-context', identity.workspaceId);
    headers.set(DEPTH_HEADER, String(identity.depth + 1));
    const response = await fetch(
      new Request(`http://atoll.internal${request.url}`, {
        method: request.method,
        headers,
        body: request.body,
      }),
    );
    const text = await readLimited(response, limits.maxResponseBytes);
    const exposed: Record<string, string> = {};
    for (const name of EXPOSED_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) exposed[name] = value;
    }
    let body: unknown = text;
    if (text === '') body = null;
    else if (/^application\/([a-z.+-]+\+)?json/i.test(response.headers.get('content-type') ?? '')) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { status: response.status, headers: exposed, body } satisfies BridgedResponse;
  };
}

async function readLimited(response: Response, max: number): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new PolicyError('limit', `the response body is larger than ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
