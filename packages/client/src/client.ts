/**
 * The typed client: openapi-fetch over the generated `paths`, so every operation's path, parameters,
 * body, answers and errors are checked by the compiler. Credentials are read per request (a function
 * may return a token that changes, e.g. the console's session), and `workspace` sends `akua-context`,
 * which a JWT needs to pick its workspace. Bytes bodies (package archives, agent bundles: `Uint8Array` or
 * `Blob` in the generated types) are sent as they are, with the content type the call names in `headers`;
 * every other body as JSON.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './openapi.ts';

export type AtollClientOptions = {
  /** The server's base URL, e.g. http://127.0.0.1:8787 (a browser on the same origin may pass ''). */
  baseUrl: string;
  /** An API token (sk_…) or an OAuth2 JWT, or a function returning the current one. */
  token?: string | (() => string | undefined);
  /** The workspace a JWT acts in (the akua-context header); a workspace token needs none. */
  workspace?: string | (() => string | undefined);
  /** A fetch implementation (default the global one). */
  fetch?: typeof globalThis.fetch;
};

export type AtollClient = Client<paths> & {
  /** The base URL requests go to, without a trailing slash. */
  readonly baseUrl: string;
  /** The headers every request carries now (authorization, akua-context). */
  authHeaders(): Record<string, string>;
  /** The fetch requests go through. */
  readonly fetch: typeof globalThis.fetch;
};

/** Bodies fetch sends as they are; anything else is JSON. */
function serializeBody(body: unknown): RequestInit['body'] {
  if (
    body instanceof Uint8Array ||
    body instanceof ArrayBuffer ||
    body instanceof Blob ||
    body instanceof FormData ||
    body instanceof URLSearchParams
  )
    return body as RequestInit['body'];
  return JSON.stringify(body);
}

const read = (value: string | (() => string | undefined) | undefined) =>
  typeof value === 'function' ? value() : value;

export function createAtollClient(options: AtollClientOptions): AtollClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const authHeaders = () => {
    const headers: Record<string, string> = {};
    const token = read(options.token);
    const workspace = read(options.workspace);
    if (token) headers.authorization = `Bearer ${token}`;
    if (workspace) headers['akua-context'] = workspace;
    return headers;
  };
  const client = createClient<paths>({ baseUrl, fetch: fetchImpl, bodySerializer: serializeBody });
  client.use({
    onRequest({ request }) {
      for (const [name, value] of Object.entries(authHeaders())) {
        if (!request.headers.has(name)) request.headers.set(name, value);
      }
      return request;
    },
  });
  return Object.assign(client, { baseUrl, authHeaders, fetch: fetchImpl });
}
