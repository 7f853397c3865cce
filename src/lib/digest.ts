/**
 * SHA-256 in the forms Atoll stores and serves: `sha256:` + lowercase hex for content addresses
 * (package artifacts, bundles and their files, render keys and render hashes), and bare hex for secrets
 * kept only as a hash (API tokens, git tokens). One place, so every caller spells them the same way.
 */
import { createHash } from 'node:crypto';

/** The lowercase hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** `sha256:` and the lowercase hex SHA-256 of `bytes`. */
export function sha256Digest(bytes: Uint8Array | string): string {
  return `sha256:${sha256Hex(bytes)}`;
}

/** `sha256:` and the lowercase hex SHA-256 of `parts` hashed one after another (as if concatenated). */
export function sha256DigestOfParts(parts: Iterable<Uint8Array | string>): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return `sha256:${hash.digest('hex')}`;
}
