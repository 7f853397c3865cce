/**
 * The digests that tie a version to its bundle and config: `sha256:<hex>` of bytes, and of the
 * canonical JSON of a config (keys sorted at every depth, no whitespace), so the CLI and the server
 * compute the same `config_digest` for the same config whatever the key order it was written in.
 */
import { createHash } from 'node:crypto';

/** `sha256:` and the lowercase hex SHA-256 of `bytes`. */
export function sha256Digest(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** JSON with object keys sorted at every depth and no whitespace; `undefined` members are dropped. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) sorted[key] = sortKeys(member);
  }
  return sorted;
}

/** The manifest's `config_digest`: sha256 of the canonical JSON of the config as sent. */
export function configDigest(config: unknown): string {
  return sha256Digest(canonicalJson(config));
}
