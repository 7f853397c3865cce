/**
 * Canonical JSON: the same value always serialises to the same string, whatever the key order it was
 * built in, so that it can be hashed. Two forms exist because hashes already stored depend on each, and
 * they differ in two ways:
 * - `canonicalJson` (the render key, idempotency fingerprints, emit fingerprints, operation ETags) sorts
 *   every key as a string ("10" before "2") and writes an `undefined` member as `null`;
 * - `canonicalJsonOmittingUndefined` (bundle `config_digest`, the CLI's deploy idempotency keys) drops
 *   `undefined` members and, being `JSON.stringify` over key-sorted copies, puts integer-like keys first
 *   in ascending numeric order ("2" before "10").
 * Neither may change: src/lib/pinning.test.ts fixes their outputs.
 */

/** JSON with object keys sorted (as strings) at every depth; `undefined` anywhere is written as `null`. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * JSON with object keys sorted at every depth and no whitespace; `undefined` members are dropped, and
 * integer-like keys come first in ascending order (`JSON.stringify`'s own property order).
 */
export function canonicalJsonOmittingUndefined(value: unknown): string {
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
