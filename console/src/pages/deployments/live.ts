/** Refetches a query every few seconds while `live` holds (lists whose rows are still changing). */
import { useEffect } from 'react';

export function useRefetchWhile(live: boolean, refetch: () => unknown, everyMs = 2000): void {
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => void refetch(), everyMs);
    return () => clearInterval(timer);
  }, [live, refetch, everyMs]);
}
