/**
 * API families and their error envelopes. Every 4xx/5xx leaves through `renderError`, which picks the
 * family by path: `/v1/agent-deployments…` speaks the agent-deployments (Nullspace) envelope, everything
 * else the Akua envelope. docs/errors.md lists the codes.
 */
import type { ErrorStatus } from './errors.ts';
import { ApiError, HTTP_STATUS } from './errors.ts';

export type Family = 'akua' | 'agent_deployments';

/** Which family a request path belongs to. */
export function familyOf(path: string): Family {
  return path.startsWith('/v1/agent-deployments') ? 'agent_deployments' : 'akua';
}

/** Akua's integer error codes (ApiErrorEntry.code); 7002 "Resource not found" is the spec's own example. */
export const AKUA_CODES: Record<ErrorStatus, number> = {
  INTERNAL: 7000,
  UNAUTHENTICATED: 7001,
  NOT_FOUND: 7002,
  PERMISSION_DENIED: 7003,
  INVALID_ARGUMENT: 7004,
  BAD_REQUEST: 7005,
  ALREADY_EXISTS: 7006,
  ABORTED: 7007,
  FAILED_PRECONDITION: 7008,
  PRECONDITION_REQUIRED: 7009,
  PAYLOAD_TOO_LARGE: 7010,
  UNSUPPORTED_MEDIA_TYPE: 7011,
  RESOURCE_EXHAUSTED: 7012,
  UNAVAILABLE: 7013,
  IDEMPOTENCY_CONFLICT: 7014,
  DEADLINE_EXCEEDED: 7015,
  UNIMPLEMENTED: 7016,
};

/** Agent-deployments string codes by canonical status (the CLI's documented codes), unless the error names its own. */
const NULLSPACE_CODES: Record<ErrorStatus, string> = {
  INTERNAL: 'internal_error',
  UNAUTHENTICATED: 'unauthorized',
  NOT_FOUND: 'not_found',
  PERMISSION_DENIED: 'permission_denied',
  INVALID_ARGUMENT: 'invalid_fields',
  BAD_REQUEST: 'invalid_request',
  ALREADY_EXISTS: 'conflict',
  ABORTED: 'conflict',
  FAILED_PRECONDITION: 'conflict',
  PRECONDITION_REQUIRED: 'precondition_required',
  PAYLOAD_TOO_LARGE: 'payload_too_large',
  UNSUPPORTED_MEDIA_TYPE: 'unsupported_media_type',
  RESOURCE_EXHAUSTED: 'rate_limit_exceeded',
  UNAVAILABLE: 'unavailable',
  IDEMPOTENCY_CONFLICT: 'idempotency_conflict',
  DEADLINE_EXCEEDED: 'timeout',
  UNIMPLEMENTED: 'not_implemented',
};

export type RenderedError = { status: number; body: unknown; headers: Record<string, string> };

/** The response for an error in the given family. */
export function renderError(family: Family, error: ApiError, requestId: string): RenderedError {
  const headers = { ...error.headers };
  const status = HTTP_STATUS[error.status];
  switch (family) {
    case 'akua':
      return {
        status,
        headers,
        body: {
          success: false,
          errors: error.details.map((d) => ({
            code: AKUA_CODES[error.status],
            message: d.message,
            ...(d.path ? { path: d.path } : {}),
            metadata: { status: error.status, ...(error.code ? { reason: error.code } : {}), ...d.metadata },
          })),
          result: {},
        },
      };
    case 'agent_deployments': {
      const first = error.details[0]!;
      return {
        status,
        headers,
        body: {
          error: {
            code: error.code ?? NULLSPACE_CODES[error.status],
            message: first.message,
            hint: error.hint ?? null,
            request_id: requestId,
            retryable: error.retryable,
            ...(error.details.some((d) => d.path || d.metadata)
              ? {
                  details: error.details.map((d) => ({
                    message: d.message,
                    path: d.path ?? null,
                    ...d.metadata,
                  })),
                }
              : {}),
          },
        },
      };
    }
    default: {
      const never: never = family;
      throw new Error(`unknown family ${String(never)}`);
    }
  }
}
