/**
 * Atoll's two error envelopes, typed from the generated document: the Akua family's
 * `{success:false, errors:[{code, message, path?}], result}` and the agent deployments family's
 * `{error:{code, message, hint, request_id, retryable, details?}}`. `AtollApiError` carries either,
 * with the status and one readable message, for callers that prefer exceptions (`unwrap`).
 */
import type { components } from './openapi.ts';

export type AkuaErrorEnvelope = components['schemas']['ApiErrorResponse'];
export type NullspaceErrorEnvelope = components['schemas']['NullspaceError'];
export type ErrorEnvelope = AkuaErrorEnvelope | NullspaceErrorEnvelope;

export function isAkuaError(body: unknown): body is AkuaErrorEnvelope {
  return typeof body === 'object' && body !== null && Array.isArray((body as AkuaErrorEnvelope).errors);
}

export function isNullspaceError(body: unknown): body is NullspaceErrorEnvelope {
  const error =
    typeof body === 'object' && body !== null ? (body as NullspaceErrorEnvelope).error : undefined;
  return typeof error === 'object' && error !== null && typeof error.message === 'string';
}

/** One line for a person: the server's message(s), with the field each names. */
export function errorMessage(body: unknown, status?: number): string {
  if (isAkuaError(body) && body.errors.length > 0) {
    return body.errors
      .map((e) => (e.path && e.path.length > 0 ? `${e.path.join('.')}: ${e.message}` : e.message))
      .join('; ');
  }
  if (isNullspaceError(body)) {
    const fields = (body.error.details ?? [])
      .map((d) => (d.path && d.path.length > 0 ? `${d.path.join('.')}: ${d.message}` : d.message))
      .join('; ');
    const hint = body.error.hint ? ` (${body.error.hint})` : '';
    return `${body.error.message}${fields ? ` — ${fields}` : ''}${hint}`;
  }
  if (typeof body === 'string' && body.trim()) return body.trim().slice(0, 500);
  return status ? `HTTP ${status}` : 'request failed';
}

export class AtollApiError extends Error {
  readonly status: number;
  readonly body: unknown;
  /** The Akua error code or the deployments family's string code, when the envelope has one. */
  readonly code: number | string | undefined;
  constructor(status: number, body: unknown) {
    super(errorMessage(body, status));
    this.name = 'AtollApiError';
    this.status = status;
    this.body = body;
    this.code = isAkuaError(body)
      ? body.errors[0]?.code
      : isNullspaceError(body)
        ? body.error.code
        : undefined;
  }
}

/**
 * The data of an openapi-fetch answer, or an AtollApiError for its error:
 * `const snippet = await unwrap(client.GET('/v1/snippets/{id}', …))`.
 */
export async function unwrap<D>(
  pending: Promise<{ data?: D; error?: unknown; response: Response }>,
): Promise<D> {
  const { data, error, response } = await pending;
  if (!response.ok || error !== undefined) throw new AtollApiError(response.status, error);
  return data as D;
}
