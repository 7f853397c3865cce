/**
 * Cursor pagination over an immutable, strictly increasing row key (`seq`): pages go newest first and a
 * cursor is the key of the last row served, so rows inserted between two page reads never cause a row
 * to be served twice or skipped. Cursors are opaque to clients (base64url of a small JSON document).
 */
import { badRequest } from './errors.ts';

export type PageRequest = { limit: number; /** serve rows with seq below this */ before: number | undefined };

export type Page<T> = { data: T[]; has_more: boolean; next_cursor: string | null };

export function encodeCursor(seq: number): string {
  return Buffer.from(JSON.stringify({ v: 1, s: seq })).toString('base64url');
}

/** Parses `cursor` and `limit` from a validated page query; a cursor that isn't ours is 400. */
export function pageRequest(query: { cursor?: string | undefined; limit: number }): PageRequest {
  if (query.cursor === undefined) return { limit: query.limit, before: undefined };
  try {
    const decoded = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')) as {
      v?: unknown;
      s?: unknown;
    };
    if (decoded.v === 1 && Number.isSafeInteger(decoded.s))
      return { limit: query.limit, before: decoded.s as number };
  } catch {
    // fall through
  }
  throw badRequest(
    ['query', 'cursor'],
    'cursor is not a next_cursor this API returned; start again without it',
  );
}

/**
 * Builds a page from rows fetched with `limit + 1` (the extra row only tells whether there is more),
 * ordered by seq descending.
 */
export function toPage<R extends { seq: number }, T>(
  rows: R[],
  page: PageRequest,
  serialize: (row: R) => T,
): Page<T> {
  const hasMore = rows.length > page.limit;
  const served = hasMore ? rows.slice(0, page.limit) : rows;
  return {
    data: served.map(serialize),
    has_more: hasMore,
    next_cursor: hasMore ? encodeCursor(served[served.length - 1]!.seq) : null,
  };
}
