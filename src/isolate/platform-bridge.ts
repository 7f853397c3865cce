/**
 * Answers a guest's platform.request() inside the API process, without a socket: the request goes
 * through the same Hono app as any client's, authenticated as the caller who started the run (their own
 * bearer credential, held in memory only) and pinned to the run's workspace with akua-context, so it
 * has exactly the caller's permissions. The run's lineage (which tree of nested executions it belongs
 * to, and how deep) travels beside the request as app bindings, which no client can set. The response
 * body is read up to the size limit and handed to the guest as text; only a few response headers are
 * shown to the guest.
 */
import type { InternalBindings, Lineage } from '../http/context.ts';
import { PolicyError } from './request-policy.ts';
import type { Dispatcher } from './pool.ts';
import type { BridgedRequest, BridgedResponse, RequestLimits } from './types.ts';

export type { InternalBindings, Lineage };

export type InProcessFetch = (request: Request, bindings: InternalBindings) => Promise<Response>;

/**
 * The answer to a request that needs no trip through the app (a nested execution that would be
 * refused: cheap to refuse here, where a fan-out makes hundreds a second), or undefined to send it.
 */
export type Preflight = (
  request: BridgedRequest,
  lineage: Lineage,
  workspaceId: string,
) => Response | undefined;

/** Who a run acts as, and where it sits among nested executions. */
export type PlatformIdentity = { secret: string; workspaceId: string; lineage: Lineage };

const EXPOSED_HEADERS = ['content-type', 'etag', 'location', 'idempotent-replayed'];

export function platformDispatcher(
  fetch: InProcessFetch,
  identity: PlatformIdentity,
  limits: RequestLimits,
  preflight?: Preflight,
): Dispatcher {
  return async (request) => {
    const lineage = { tree: identity.lineage.tree, depth: identity.lineage.depth + 1 };
    const send = () => {
      const headers = new Headers(request.headers);
      headers.set('authorization', `Bearer ${identity.secret}`);
      headers.set('akua-context', identity.workspaceId);
      const init = { method: request.method, headers, body: request.body };
      return fetch(new Request(`http://atoll.internal${request.url}`, init), { atollLineage: lineage });
    };
    const response = preflight?.(request, lineage, identity.workspaceId) ?? (await send());
    const text = await readLimited(response, limits.maxResponseBytes);
    const exposed: Record<string, string> = {};
    for (const name of EXPOSED_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) exposed[name] = value;
    }
    // Parsed in the guest: a structure (however deep) is never rebuilt and serialised on the host.
    const json =
      text !== '' && /^application\/([a-z.+-]+\+)?json/i.test(response.headers.get('content-type') ?? '');
    return { status: response.status, headers: exposed, body: text, json } satisfies BridgedResponse;
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
