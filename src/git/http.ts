/**
 * Git smart HTTP for the store's repositories, as a Hono handler the caller mounts
 * (`app.all('/git/*', handler)`): `git clone`, Argo CD and Flux fetch through the real
 * `git http-backend`. Only `<mount>/<repo>.git/{info/refs, git-upload-pack, git-receive-pack}` are
 * served, never a dumb-HTTP file path. Every request is authorized by the caller's `authorize`; a push
 * is enabled for that request only, and only for the refs `authorize` names, checked against the
 * push's commands before git sees any of it.
 */
import type { Context } from 'hono';
import { runHttpBackend } from './cgi.ts';
import { TEMP_REF_PREFIX } from './commit.ts';
import { parseReceivePackCommands, PktLineError, type RefUpdate } from './pkt-line.ts';
import { BodyTooLargeError, bodyEncoding, requestBody } from './request-body.ts';
import type { GitStore } from './store.ts';

export type GitService = 'upload-pack' | 'receive-pack';

export type GitAuthorizeRequest = {
  repo: string;
  service: GitService;
  /** From `Authorization: Bearer <x>`, or the password of HTTP Basic (any user name); undefined when absent. */
  credential: string | undefined;
};

export type GitAuthorization =
  | { allow: false; status: 401 | 403 | 404; message: string }
  /** `writableRefs`: the full ref names (`refs/heads/...`) a push may update; none = no push. */
  | { allow: true; writableRefs?: string[] };

export type GitHttpOptions = {
  store: GitStore;
  /** Where the handler is mounted, e.g. `/git`. */
  mountPath: string;
  authorize(request: GitAuthorizeRequest): Promise<GitAuthorization>;
  /** Largest request body accepted, as sent and once inflated (default 100 MiB). */
  maxBodyBytes?: number;
  /** Told about failures that become a 500 (git http-backend failing, authorize throwing). */
  onError?(error: unknown, request: { repo: string; service: GitService }): void;
  /** Awaited after a push to `repo` succeeded, before the client's request completes. */
  onPushed?(repo: string): Promise<void>;
};

const DEFAULT_MAX_BODY = 100 * 1024 * 1024;
const MAX_COMMAND_BYTES = 1024 * 1024;
const ROUTE = /^\/([a-z0-9_]{1,64})\.git\/(info\/refs|git-upload-pack|git-receive-pack)$/;
const GIT_PROTOCOL = /^[A-Za-z0-9=:._,-]{1,256}$/;
const ZERO = /^0+$/;

/** The challenge git clients answer by retrying with HTTP Basic credentials. */
export const WWW_AUTHENTICATE = 'Basic realm="atoll"';

function text(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache', ...headers },
  });
}

/** The credential of an Authorization header: a bearer token, or a Basic password. */
export function credentialOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const password = colon >= 0 ? decoded.slice(colon + 1) : '';
  return password === '' ? undefined : password;
}

/** Why a push's commands are refused, or undefined when every update is allowed. */
function refusal(updates: RefUpdate[], writable: ReadonlySet<string>): string | undefined {
  for (const update of updates) {
    if (ZERO.test(update.newSha)) return `deleting ${update.ref} is not allowed`;
    if (!writable.has(update.ref)) {
      return `${update.ref} is not writable with this credential (writable: ${[...writable].join(', ')})`;
    }
  }
  return undefined;
}

/** Git config for one http-backend run (given as `git -c`, so nothing is stored in the repository). */
function backendConfig(push: boolean): Record<string, string> {
  return {
    'http.uploadpack': 'true',
    // Enabled only for a request whose credential may push, after its refs were checked.
    'http.receivepack': push ? 'true' : 'false',
    // Never serve repository files over dumb HTTP (the routes do not reach them either).
    'http.getanyfile': 'false',
    // The store's temporary commit refs are nobody's business, and cannot be pushed to.
    'transfer.hideRefs': TEMP_REF_PREFIX.replace(/\/tmp\/$/, ''),
    'receive.denyDeletes': 'true',
    'receive.fsckObjects': 'true',
    // No background gc forked from a push.
    'receive.autogc': 'false',
  };
}

type Route = { repo: string; service: GitService; rpc: boolean };

function route(c: Context, mountPath: string): Route | Response {
  const url = new URL(c.req.url);
  const sub = url.pathname.startsWith(`${mountPath}/`) ? url.pathname.slice(mountPath.length) : '';
  const match = ROUTE.exec(sub);
  if (!match)
    return text(404, 'not found: only git smart HTTP (info/refs, git-upload-pack, git-receive-pack)');
  const [, repo, rest] = match as unknown as [string, string, string];
  if (rest === 'info/refs') {
    if (c.req.method !== 'GET') return text(405, 'method not allowed', { allow: 'GET' });
    const service = url.searchParams.get('service');
    if (service !== 'git-upload-pack' && service !== 'git-receive-pack') {
      return text(404, 'not found: dumb HTTP is not served; use a git client that speaks smart HTTP');
    }
    return { repo, service: service === 'git-upload-pack' ? 'upload-pack' : 'receive-pack', rpc: false };
  }
  if (c.req.method !== 'POST') return text(405, 'method not allowed', { allow: 'POST' });
  return { repo, service: rest === 'git-upload-pack' ? 'upload-pack' : 'receive-pack', rpc: true };
}

export function createGitHttpHandler(options: GitHttpOptions): (c: Context) => Promise<Response> {
  const mountPath = options.mountPath.replace(/\/+$/, '');
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;

  return async (c) => {
    const target = route(c, mountPath);
    if (target instanceof Response) return target;
    const { repo, service, rpc } = target;
    try {
      const credential = credentialOf(c.req.header('authorization'));
      const decision = await options.authorize({ repo, service, credential });
      if (!decision.allow) {
        // Without a credential every refusal is the challenge: git then asks for one, and nothing
        // about the repository (not even whether it exists) is told to an anonymous client.
        if (credential === undefined || decision.status === 401) {
          const message = credential === undefined ? 'authentication required' : decision.message;
          return text(401, message, { 'www-authenticate': WWW_AUTHENTICATE });
        }
        return text(decision.status, decision.message);
      }
      const writable = new Set(decision.writableRefs ?? []);
      if (service === 'receive-pack' && writable.size === 0) {
        return text(403, `pushing to ${repo} is not allowed with this credential`);
      }
      if (!(await options.store.exists(repo))) return text(404, `repository ${repo} not found`);
      return await serve(c, target, writable);
    } catch (error) {
      options.onError?.(error, { repo, service });
      return text(500, 'internal error serving the git request');
    }
  };

  async function serve(c: Context, { repo, service, rpc }: Route, writable: ReadonlySet<string>) {
    let body: AsyncIterable<Buffer> | null = null;
    const variables: Record<string, string> = {
      GIT_PROJECT_ROOT: options.store.root,
      GIT_HTTP_EXPORT_ALL: '1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      SERVER_PROTOCOL: 'HTTP/1.1',
      REQUEST_METHOD: rpc ? 'POST' : 'GET',
      PATH_INFO: `/${repo}.git/${rpc ? `git-${service}` : 'info/refs'}`,
      QUERY_STRING: rpc ? '' : `service=git-${service}`,
    };
    const protocol = c.req.header('git-protocol');
    if (protocol !== undefined && GIT_PROTOCOL.test(protocol)) variables.HTTP_GIT_PROTOCOL = protocol;
    if (rpc) {
      const contentType = c.req.header('content-type') ?? '';
      if (contentType !== `application/x-git-${service}-request`) {
        return text(415, `expected content-type application/x-git-${service}-request`);
      }
      variables.CONTENT_TYPE = contentType;
      const encoding = bodyEncoding(c.req.header('content-encoding'));
      if (encoding === undefined) return text(415, 'unsupported content-encoding (gzip or none)');
      const length = Number(c.req.header('content-length') ?? '0');
      if (length > maxBody) return text(413, new BodyTooLargeError(maxBody).message);
      const raw = c.req.raw.body;
      if (!raw) return text(400, 'a request body is required');
      const stream = requestBody(raw, encoding, maxBody);
      if (service === 'upload-pack') body = stream;
      else {
        const checked = await checkPush(stream, writable);
        if (checked instanceof Response) {
          stream.destroy();
          return checked;
        }
        body = checked;
      }
    }
    const result = await runHttpBackend({
      setup: options.store.setup,
      config: backendConfig(service === 'receive-pack'),
      variables,
      body,
      signal: c.req.raw.signal,
      onFailure: (error) => options.onError?.(error, { repo, service }),
      onSuccess:
        rpc && service === 'receive-pack' && options.onPushed
          ? async () => {
              try {
                await options.onPushed!(repo);
              } catch (error) {
                options.onError?.(error, { repo, service });
              }
            }
          : undefined,
    });
    if (result.ok) return result.response;
    if (result.bodyError instanceof BodyTooLargeError) return text(413, result.bodyError.message);
    return text(400, 'the request body could not be read');
  }
}

/**
 * Reads a push's command list; a Response refusing the push, or the whole body (the bytes already
 * read, then the rest) to hand to git.
 */
async function checkPush(
  stream: AsyncIterable<Buffer>,
  writable: ReadonlySet<string>,
): Promise<AsyncIterable<Buffer> | Response> {
  const iterator = stream[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  try {
    for (;;) {
      const parsed = parseReceivePackCommands(head);
      if (parsed.complete) {
        const why = refusal(parsed.updates, writable);
        if (why !== undefined) return text(403, `push refused: ${why}`);
        break;
      }
      if (head.length > MAX_COMMAND_BYTES) return text(400, 'the push command list is too long');
      const next = await iterator.next();
      if (next.done) return text(400, 'the push request ended inside its command list');
      head = Buffer.concat([head, next.value]);
    }
  } catch (error) {
    if (error instanceof BodyTooLargeError) return text(413, error.message);
    if (error instanceof PktLineError) return text(400, `bad push request: ${error.message}`);
    throw error;
  }
  return (async function* () {
    yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  })();
}
