/**
 * Long lists, paged by the API's cursors: both list shapes (`{data, has_more, next_cursor}` and
 * `{items, next_cursor}`) accumulate page by page behind a "Load more" button.
 */
import { useInfiniteQuery, type QueryKey } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ErrorBox, Loading } from './states.tsx';

export type ListPage<T> = { data?: T[]; items?: T[]; next_cursor?: string | null; has_more?: boolean };

export function usePaged<T>(key: QueryKey, fetchPage: (cursor: string | undefined) => Promise<ListPage<T>>) {
  const query = useInfiniteQuery({
    queryKey: key,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: ListPage<T>) =>
      last.next_cursor && (last.has_more ?? true) ? last.next_cursor : undefined,
  });
  const rows = (query.data?.pages ?? []).flatMap((p) => p.data ?? p.items ?? []);
  return { ...query, rows };
}

/** Loading and error states of a paged list, its rows (or `empty`), and "Load more". */
export function PagedList<T>({
  paged,
  empty,
  children,
}: {
  paged: ReturnType<typeof usePaged<T>>;
  empty: ReactNode;
  children: (rows: T[]) => ReactNode;
}) {
  if (paged.isPending) return <Loading />;
  if (paged.isError) return <ErrorBox error={paged.error} />;
  if (paged.rows.length === 0) return <>{empty}</>;
  return (
    <>
      {children(paged.rows)}
      {paged.hasNextPage ? (
        <button className="more" onClick={() => paged.fetchNextPage()} disabled={paged.isFetchingNextPage}>
          {paged.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
    </>
  );
}
