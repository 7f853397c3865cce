/** The agent-deployments family's own error codes (docs/errors.md), built on the shared ApiError. */
import { ApiError, type ApiErrorOptions } from '../http/errors.ts';

export type NotFoundKind =
  'agent_deployment' | 'agent_version' | 'agent_run' | 'agent_service' | 'agent_output';

const LABEL: Record<NotFoundKind, string> = {
  agent_deployment: 'agent deployment',
  agent_version: 'agent deployment version',
  agent_run: 'agent run',
  agent_service: 'agent service instance',
  agent_output: 'output',
};

/** 404 `<kind>_not_found`; another workspace's resource gets the same answer. */
export function notFound(kind: NotFoundKind, id: string): ApiError {
  return new ApiError(
    'NOT_FOUND',
    { message: `${LABEL[kind]} ${id} not found`, metadata: { id } },
    { code: `${kind}_not_found` },
  );
}

/** 409 `conflict`: the resource's state does not allow the action. */
export function stateConflict(message: string, options: ApiErrorOptions = {}): ApiError {
  return new ApiError('FAILED_PRECONDITION', { message }, { code: 'conflict', ...options });
}

/** 409 `upload_conflict`: the bundle does not match its version (digest) or was already uploaded. */
export function uploadConflict(message: string, path: string[], hint?: string): ApiError {
  return new ApiError(
    'FAILED_PRECONDITION',
    { message, path },
    { code: 'upload_conflict', ...(hint ? { hint } : {}) },
  );
}

/** 429 `capacity_exceeded`: no sandbox can be admitted now; retryable. */
export function capacityExceeded(limit: number): ApiError {
  return new ApiError(
    'RESOURCE_EXHAUSTED',
    { message: `all ${limit} sandboxes of this server are in use (runs, services and retained sandboxes)` },
    {
      code: 'capacity_exceeded',
      retryable: true,
      hint: 'retry after running work finishes, destroy retained sandboxes, or raise ATOLL_SANDBOX_CAPACITY',
      headers: { 'retry-after': '5' },
    },
  );
}
