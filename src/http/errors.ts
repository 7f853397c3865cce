/**
 * Typed API errors. Services throw these for requests that cannot be served; one error handler
 * (src/http/error-handler.ts) renders them in the envelope of the API family the request belongs to.
 * Expected outcomes of work (a snippet that throws, a render that fails) are values, not these.
 */

/** Canonical error statuses, shared by every API family; each family maps them to its own codes. */
export type ErrorStatus =
  | 'BAD_REQUEST'
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'ABORTED'
  | 'FAILED_PRECONDITION'
  | 'IDEMPOTENCY_CONFLICT'
  | 'PRECONDITION_REQUIRED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'UNIMPLEMENTED'
  | 'INTERNAL';

/** HTTP status of each canonical status. */
export const HTTP_STATUS: Record<ErrorStatus, number> = {
  BAD_REQUEST: 400,
  INVALID_ARGUMENT: 422,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  ABORTED: 409,
  FAILED_PRECONDITION: 409,
  IDEMPOTENCY_CONFLICT: 409,
  PRECONDITION_REQUIRED: 428,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RESOURCE_EXHAUSTED: 429,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
};

/** One problem with a request: a message, the field it concerns and string metadata. */
export type ErrorDetail = {
  message: string;
  /** Where the problem is, e.g. ["body", "name"] or ["header", "if-match"]. */
  path?: string[];
  metadata?: Record<string, string>;
};

export type ApiErrorOptions = {
  /** Further problems beyond the first (validation reports every violation). */
  more?: ErrorDetail[];
  /** A sentence telling the caller how to fix it (rendered by families that carry hints). */
  hint?: string;
  /** A family-specific machine code overriding the default one (e.g. "capacity_exceeded"). */
  code?: string;
  /** Extra response headers, e.g. Retry-After. */
  headers?: Record<string, string>;
  retryable?: boolean;
  cause?: unknown;
};

/** An error with a canonical status and one or more details; rendered by the family's envelope. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: ErrorStatus;
  readonly details: ErrorDetail[];
  readonly hint: string | undefined;
  readonly code: string | undefined;
  readonly headers: Record<string, string> | undefined;
  readonly retryable: boolean;

  constructor(status: ErrorStatus, detail: ErrorDetail, options: ApiErrorOptions = {}) {
    super(detail.message, { cause: options.cause });
    this.status = status;
    this.details = [detail, ...(options.more ?? [])];
    this.hint = options.hint;
    this.code = options.code;
    this.headers = options.headers;
    this.retryable = options.retryable ?? (status === 'UNAVAILABLE' || status === 'RESOURCE_EXHAUSTED');
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.status];
  }

  /** The same error under another status (src/http/route-statuses.ts fits refusals to their route). */
  withStatus(status: ErrorStatus): ApiError {
    const [first, ...more] = this.details;
    return new ApiError(status, first!, {
      more,
      hint: this.hint,
      code: this.code,
      headers: this.headers,
      retryable: this.retryable,
      cause: this.cause,
    });
  }
}

/** 404 for a resource that does not exist in the caller's workspace (never a 403 that leaks existence). */
export function notFound(kind: string, id: string): ApiError {
  return new ApiError('NOT_FOUND', { message: `${kind} ${id} not found`, metadata: { id } });
}

/** 422 for a body field that breaks a rule, naming the field. */
export function invalid(field: string[] | string, message: string, options?: ApiErrorOptions): ApiError {
  const path = Array.isArray(field) ? field : ['body', ...field.split('.')];
  return new ApiError('INVALID_ARGUMENT', { message, path }, options);
}

/** 400 for a malformed request part (query, header, path) naming it. */
export function badRequest(path: string[], message: string, options?: ApiErrorOptions): ApiError {
  return new ApiError('BAD_REQUEST', { message, path }, options);
}

/** 409 for a write whose if-match no longer names the current version; carries the current etag. */
export function aborted(kind: string, currentEtag: string): ApiError {
  return new ApiError('ABORTED', {
    message: `${kind} was changed since the etag you sent was read; read it again and retry with its current etag`,
    path: ['header', 'if-match'],
    metadata: { etag: currentEtag },
  });
}

/** 409 for an action the resource's current state does not allow. */
export function failedPrecondition(message: string, options?: ApiErrorOptions): ApiError {
  return new ApiError('FAILED_PRECONDITION', { message }, options);
}

export function conflict(message: string, path?: string[]): ApiError {
  return new ApiError('ALREADY_EXISTS', path ? { message, path } : { message });
}

export function unauthenticated(message: string): ApiError {
  return new ApiError('UNAUTHENTICATED', { message, path: ['header', 'authorization'] });
}

export function forbidden(message: string, options?: ApiErrorOptions): ApiError {
  return new ApiError('PERMISSION_DENIED', { message }, options);
}
