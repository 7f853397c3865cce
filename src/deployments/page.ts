/** The family's `{items, next_cursor}` pages over a `seq` key, newest first (cursors as in src/http/pagination). */
import { encodeCursor, pageRequest, type PageRequest } from '../http/pagination.ts';

export type Items<T> = { items: T[]; next_cursor: string | null };

export { pageRequest, type PageRequest };

/** Builds a page from rows fetched with `limit + 1`, ordered by seq descending. */
export function toItems<R extends { seq: number }, T>(
  rows: R[],
  page: PageRequest,
  serialize: (row: R) => T,
): Items<T> {
  const more = rows.length > page.limit;
  const served = more ? rows.slice(0, page.limit) : rows;
  return {
    items: served.map(serialize),
    next_cursor: more ? encodeCursor(served[served.length - 1]!.seq) : null,
  };
}
