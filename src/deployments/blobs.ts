/**
 * Content-addressed blobs of the agent-deployments domain (bundles and run outputs), stored in the
 * database so every process of a deployment sees them. Bundles are read once per run, so a small
 * in-process cache keeps the recent ones (bounded by bytes).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { findBlobContent, insertBlob } from './blobs-store.ts';

export type BlobStore = ReturnType<typeof createBlobStore>;

export function createBlobStore(db: Kysely<DB>, options: { cacheBytes?: number } = {}) {
  const cacheBytes = options.cacheBytes ?? 64 * 1024 * 1024;
  const cache = new Map<string, Uint8Array>(); // `${workspace} ${digest}`, oldest first
  let cached = 0;

  const remember = (key: string, bytes: Uint8Array) => {
    if (bytes.length > cacheBytes / 4) return;
    cache.delete(key);
    cache.set(key, bytes);
    cached += bytes.length;
    for (const [k, v] of cache) {
      if (cached <= cacheBytes) break;
      cache.delete(k);
      cached -= v.length;
    }
  };

  return {
    /** Stores the bytes under their digest (a no-op when they are there already). */
    async put(executor: Kysely<DB>, workspaceId: string, digest: string, bytes: Uint8Array): Promise<void> {
      await insertBlob(executor, workspaceId, digest, bytes);
    },

    /** The bytes of a blob, or undefined. */
    async get(workspaceId: string, digest: string): Promise<Uint8Array | undefined> {
      const key = `${workspaceId} ${digest}`;
      const hit = cache.get(key);
      if (hit) {
        cache.delete(key);
        cache.set(key, hit);
        return hit;
      }
      const content = await findBlobContent(db, workspaceId, digest);
      if (!content) return undefined;
      const bytes = new Uint8Array(content);
      remember(key, bytes);
      return bytes;
    },
  };
}
