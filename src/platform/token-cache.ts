/**
 * An in-process cache of API token lookups, for the embedded store only: there this process is the
 * only one that can write (the data directory is locked), so invalidating on every revocation and
 * workspace deletion keeps revocation immediate while sparing a query per request. With Postgres,
 * where other processes revoke tokens too, the cache is disabled and every request reads the table.
 */

export type CachedToken = {
  id: string;
  workspaceId: string;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
};

export type TokenCache = {
  get(tokenHash: string): CachedToken | undefined;
  set(tokenHash: string, token: CachedToken): void;
  /** Forget everything: called whenever a token is revoked or a workspace (with its tokens) deleted. */
  invalidate(): void;
};

const MAX_ENTRIES = 10_000;

export function createTokenCache(enabled: boolean): TokenCache {
  const entries = new Map<string, CachedToken>();
  if (!enabled) return { get: () => undefined, set: () => {}, invalidate: () => {} };
  return {
    get: (hash) => entries.get(hash),
    set(hash, token) {
      if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
      entries.set(hash, token);
    },
    invalidate: () => entries.clear(),
  };
}
