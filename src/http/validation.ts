/**
 * Turns zod validation failures of a request part into one ApiError that lists every violation with
 * its location: ["body", "name"], ["query", "limit"], ["header", "if-match"], ["path", "id"]. Body
 * problems are 422; problems with the URL or headers are 400; a missing required if-match is 428.
 */
import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError, type ErrorDetail } from './errors.ts';

type Target = 'json' | 'query' | 'param' | 'header' | 'form' | 'cookie';

const LOCATION: Record<Target, string> = {
  json: 'body',
  form: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
  cookie: 'cookie',
};

/** The defaultHook of the app: runs after each validator. */
export function validationHook(
  result:
    { target: string; success: true; data: unknown } | { target: string; success: false; error: z.ZodError },
  _c: Context,
): void {
  if (result.success) return;
  throw validationError(result.target as Target, result.error);
}

export function validationError(target: Target, error: z.ZodError): ApiError {
  const location = LOCATION[target] ?? target;
  const details: ErrorDetail[] = error.issues.flatMap((issue) => {
    const base = [location, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({
        message: `unknown field "${[...issue.path.map(String), k].join('.')}": it is not part of this request`,
        path: [...base, k],
      }));
    }
    return [{ message: describe(base, issue), path: base }];
  });
  const [first, ...more] = details;
  const missingIfMatch =
    target === 'header' && error.issues.some((i) => i.path[0] === 'if-match' && i.code === 'invalid_type');
  if (missingIfMatch) {
    return new ApiError('PRECONDITION_REQUIRED', {
      message: 'this write requires an if-match header with the etag you last read',
      path: ['header', 'if-match'],
    });
  }
  return new ApiError(target === 'json' || target === 'form' ? 'INVALID_ARGUMENT' : 'BAD_REQUEST', first!, {
    more,
  });
}

function describe(path: string[], issue: z.core.$ZodIssue): string {
  const field = path.length > 1 ? path.slice(1).join('.') : path[0]!;
  if (issue.code === 'invalid_type' && issue.input === undefined) return `${field} is required`;
  return `${field}: ${issue.message}`;
}
