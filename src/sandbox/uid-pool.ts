/**
 * Host uids for sandboxes when the server runs as root: each live sandbox gets its own uid from a
 * range, so that nothing of one sandbox (files, processes, the slirp4netns helper) belongs to the
 * owner of another. The walk starts at a random offset, so two servers sharing a host rarely collide.
 */
import { randomInt } from 'node:crypto';

export type UidPool = {
  /** A uid no live sandbox of this pool holds; throws when the range is exhausted. */
  acquire(): number;
  release(uid: number): void;
  /** Whether `uid` lies in the pool's range (recovery of a crashed server's sandboxes). */
  covers(uid: number): boolean;
  /** Whether a live sandbox of this pool holds `uid`. */
  holds(uid: number): boolean;
};

export function createUidPool(base: number, size = 65536): UidPool {
  if (!Number.isInteger(base) || base < 1000 || base + size > 2 ** 32 - 2)
    throw new Error(`invalid sandbox uid base ${base}`);
  const used = new Set<number>();
  let next = randomInt(size);
  return {
    acquire() {
      for (let i = 0; i < size; i++) {
        const uid = base + ((next + i) % size);
        if (used.has(uid)) continue;
        used.add(uid);
        next = (next + i + 1) % size;
        return uid;
      }
      throw new Error(`all ${size} sandbox uids from ${base} are in use`);
    },
    release(uid) {
      used.delete(uid);
    },
    covers(uid) {
      return uid >= base && uid < base + size;
    },
    holds(uid) {
      return used.has(uid);
    },
  };
}
