/**
 * Errors for a body that names a resource the request cannot use: one that is not in the workspace
 * (404, as for any other lookup of another workspace's resource) or one that is archived (409). Both
 * name the body field, so the caller knows which id to fix.
 */
import { ApiError } from '../http/errors.ts';

/** A body field and the id it names, a `kind` of resource ("agent session"). */
export type Reference = { field: string; kind: string; id: string };

/** 404 naming the body field whose id is not a `kind` of the workspace. */
export function unknownReference({ field, kind, id }: Reference): ApiError {
  return new ApiError('NOT_FOUND', {
    message: `${kind} ${id} not found`,
    path: ['body', field],
    metadata: { id },
  });
}

/** 409 naming the body field whose `kind` is archived and so takes no new work; `remedy` says what to do. */
export function archivedReference({ field, kind, id }: Reference, remedy: string): ApiError {
  return new ApiError(
    'FAILED_PRECONDITION',
    { message: `${kind} ${id} is archived; ${remedy}`, path: ['body', field], metadata: { id } },
    { code: `${kind.replace(/ /g, '_')}_archived` },
  );
}
