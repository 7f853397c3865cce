/**
 * The digests that tie a version to its bundle and config: `sha256:<hex>` of bytes, and of the
 * canonical JSON of a config (keys sorted at every depth, no whitespace), so the CLI and the server
 * compute the same `config_digest` for the same config whatever the key order it was written in.
 */
import { createHash } from 'node:crypto';
import { canonicalJsonOmittingUndefined } from '../../lib/canonical-json.ts';

/** `sha256:` and the lowercase hex SHA-256 of `bytes`. */
export function sha256Digest(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The manifest's `config_digest`: sha256 of the canonical JSON of the config as sent. */
export function configDigest(config: unknown): string {
  return sha256Digest(canonicalJsonOmittingUndefined(config));
}
