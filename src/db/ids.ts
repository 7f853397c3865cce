/**
 * Resource ids: `<prefix>_<26 lowercase base32 characters>` (128 random bits), within every max length
 * the spec gives (prefix length + 50). Random rather than sequential so ids leak nothing about volume.
 */
import { randomFillSync } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** Lowercase RFC 4648 base32 without padding. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

// Random bytes are drawn from the CSPRNG in 4 KiB batches: one system call per 256 ids, not one each.
const pool = Buffer.alloc(4096);
let offset = pool.length;

/** `n` fresh random bytes from the pool. */
export function randomBytesPooled(n: number): Uint8Array {
  if (offset + n > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const out = Uint8Array.prototype.slice.call(pool, offset, offset + n);
  pool.fill(0, offset, offset + n);
  offset += n;
  return out;
}

/** A new random id with the given prefix, e.g. newId('ws') → "ws_k3x…". */
export function newId(prefix: string): string {
  return `${prefix}_${base32(randomBytesPooled(16))}`;
}
