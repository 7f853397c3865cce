/**
 * What a guest may ask of platform.request(): a relative /v1/… path on this server, a known method,
 * plain headers (never credentials, routing or hop-by-hop ones), a JSON body within the size limit, and
 * at most N requests per run and M at once. Every violation is an error whose message names the rule
 * it broke; it is thrown inside the guest. Applied in the executor process, next to the guest.
 */
import type { BridgedRequest, RequestLimits } from './types.ts';

/** A rejected platform.request(); `name` tells the guest (and the run's error code) which kind. */
export class PolicyError extends Error {
  override name: 'PlatformRequestError' | 'PlatformRequestLimitError';
  constructor(kind: 'invalid' | 'limit', message: string) {
    super(`platform.request: ${message}`);
    this.name = kind === 'limit' ? 'PlatformRequestLimitError' : 'PlatformRequestError';
  }
}

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

const BLOCKED_HEADERS = new Set([
  'authorization',
  'cookie',
  'host',
  'origin',
  'referer',
  'x-real-ip',
  'content-length',
  'transfer-encoding',
  'connection',
  'upgrade',
  'te',
  'trailer',
  'keep-alive',
  'forwarded',
  'x-http-method-override',
  'akua-context',
]);
const BLOCKED_HEADER_PREFIXES = ['x-forwarded-', 'proxy-', 'x-atoll-'];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const PATH_CHARS = /^\/v1\/[A-Za-z0-9._~:@!$&'()*+,;=%/-]*$/;
const MAX_PATH = 2048;
const MAX_HEADER_VALUE = 8192;

export type RequestCounters = { started: number; inFlight: number };

/** Validates one platform.request() payload (JSON text from the guest) and counts it against the limits. */
export function admitRequest(
  payload: string,
  limits: RequestLimits,
  counters: RequestCounters,
): BridgedRequest {
  if (counters.started >= limits.maxRequests) {
    throw new PolicyError('limit', `at most ${limits.maxRequests} requests per run`);
  }
  if (counters.inFlight >= limits.maxConcurrent) {
    throw new PolicyError(
      'limit',
      `at most ${limits.maxConcurrent} requests at once; await some before starting more`,
    );
  }
  if (payload.length > limits.maxBodyBytes + 65_536) {
    throw new PolicyError('limit', `the request body is larger than ${limits.maxBodyBytes} bytes`);
  }
  const req = JSON.parse(payload) as unknown;
  if (req === null || typeof req !== 'object' || Array.isArray(req)) {
    throw new PolicyError('invalid', 'pass an object {method, path, query?, body?, headers?}');
  }
  const { method: rawMethod, path, query, body, headers, ...rest } = req as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0)
    throw new PolicyError(
      'invalid',
      `unknown option "${unknown[0]}"; allowed: method, path, query, body, headers`,
    );

  const method = typeof rawMethod === 'string' ? rawMethod.toUpperCase() : rawMethod;
  if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method)) {
    throw new PolicyError('invalid', `method must be one of ${METHODS.join(', ')}`);
  }
  const url = checkPath(path) + encodeQuery(query);
  const outHeaders = checkHeaders(headers);
  let outBody: string | undefined;
  if (body !== undefined) {
    if (method === 'GET' || method === 'HEAD')
      throw new PolicyError('invalid', `a ${method} request cannot have a body`);
    outBody = JSON.stringify(body);
    if (Buffer.byteLength(outBody) > limits.maxBodyBytes) {
      throw new PolicyError('limit', `the request body is larger than ${limits.maxBodyBytes} bytes`);
    }
    outHeaders['content-type'] = 'application/json';
  }
  return { method, url, headers: outHeaders, body: outBody };
}

function checkPath(path: unknown): string {
  if (typeof path !== 'string')
    throw new PolicyError('invalid', 'path must be a string such as "/v1/snippets"');
  if (path.length > MAX_PATH) throw new PolicyError('invalid', `path is longer than ${MAX_PATH} characters`);
  if (/[\0\r\n]/.test(path)) throw new PolicyError('invalid', 'path may not contain NUL, CR or LF');
  if (path.includes('\\')) throw new PolicyError('invalid', 'path may not contain a backslash');
  if (path.includes('://'))
    throw new PolicyError('invalid', 'only relative paths on this API are allowed, not URLs');
  if (path.startsWith('//') || path.includes('//'))
    throw new PolicyError('invalid', 'path may not contain "//"');
  if (!path.startsWith('/v1/')) throw new PolicyError('invalid', 'path must start with /v1/');
  if (path.includes('?') || path.includes('#'))
    throw new PolicyError('invalid', 'put query parameters in "query", not in the path');
  const segments = path.split('/');
  if (segments.some((s) => s === '..' || s === '.' || /%2e|%2f|%5c|%00/i.test(s))) {
    throw new PolicyError('invalid', 'path may not contain "." or ".." segments or encoded dots and slashes');
  }
  if (!PATH_CHARS.test(path))
    throw new PolicyError('invalid', 'path contains characters that must be percent-encoded');
  return path;
}

function encodeQuery(query: unknown): string {
  if (query === undefined || query === null) return '';
  if (typeof query !== 'object' || Array.isArray(query)) {
    throw new PolicyError('invalid', 'query must be an object of string, number or boolean values');
  }
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new PolicyError('invalid', `query parameter "${key}" must be a string, number or boolean`);
    }
    params.append(key, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

function checkHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined || headers === null) return out;
  if (typeof headers !== 'object' || Array.isArray(headers)) {
    throw new PolicyError('invalid', 'headers must be an object of string values');
  }
  for (const [rawName, value] of Object.entries(headers)) {
    const name = rawName.toLowerCase();
    if (!HEADER_NAME.test(name)) throw new PolicyError('invalid', `"${rawName}" is not a valid header name`);
    if (BLOCKED_HEADERS.has(name) || BLOCKED_HEADER_PREFIXES.some((p) => name.startsWith(p))) {
      throw new PolicyError('invalid', `header "${name}" may not be set by a snippet`);
    }
    if (typeof value !== 'string') throw new PolicyError('invalid', `header "${name}" must be a string`);
    if (/[\0\r\n]/.test(value))
      throw new PolicyError('invalid', `header "${name}" may not contain NUL, CR or LF`);
    if (value.length > MAX_HEADER_VALUE)
      throw new PolicyError('invalid', `header "${name}" is longer than ${MAX_HEADER_VALUE} characters`);
    out[name] = value;
  }
  return out;
}
