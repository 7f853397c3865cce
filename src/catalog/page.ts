/**
 * Pages over the catalogue, which is a list in id order rather than a table: a cursor is the id of the
 * last entry served (base64url, opaque), so a page read after an upgrade added or removed entries still
 * continues after that id, never repeating or skipping one that stayed.
 */
import { badRequest } from '../http/errors.ts';
import type { Page } from '../http/pagination.ts';

function encode(id: string): string {
  return Buffer.from(JSON.stringify({ v: 1, id })).toString('base64url');
}

function decode(cursor: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      v?: unknown;
      id?: unknown;
    };
    if (decoded.v === 1 && typeof decoded.id === 'string') return decoded.id;
  } catch {
    // fall through
  }
  throw badRequest(
    ['query', 'cursor'],
    'cursor is not a next_cursor this API returned; start again without it',
  );
}

/** The page of `entries` (sorted by id) after the cursor's id. */
export function catalogPage<E extends { id: string }, T>(
  entries: readonly E[],
  query: { cursor?: string | undefined; limit: number },
  serialize: (entry: E) => T,
): Page<T> {
  const after = query.cursor === undefined ? undefined : decode(query.cursor);
  const rest = after === undefined ? entries : entries.filter((e) => e.id > after);
  const served = rest.slice(0, query.limit);
  const hasMore = rest.length > served.length;
  return {
    data: served.map(serialize),
    has_more: hasMore,
    next_cursor: hasMore ? encode(served[served.length - 1]!.id) : null,
  };
}
