/**
 * The digest that ties a version to its config: `sha256:<hex>` of the canonical JSON of a config (keys
 * sorted at every depth, no whitespace), so the CLI and the server compute the same `config_digest` for
 * the same config whatever the key order it was written in. (Byte digests: src/lib/digest.ts.)
 */
import { canonicalJsonOmittingUndefined } from '../../lib/canonical-json.ts';
import { sha256Digest } from '../../lib/digest.ts';

/** The manifest's `config_digest`: sha256 of the canonical JSON of the config as sent. */
export function configDigest(config: unknown): string {
  return sha256Digest(canonicalJsonOmittingUndefined(config));
}
