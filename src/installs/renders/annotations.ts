/**
 * Checks `extra_annotations` as Kubernetes would (keys are `[prefix/]name`: a DNS-subdomain prefix of at
 * most 253 characters, a name of at most 63 alphanumerics, `-`, `_`, `.` that starts and ends
 * alphanumeric; all annotations of an object together at most 256 KiB), so a render never writes
 * manifests the cluster would refuse. Keys under `atoll.dev/` are Atoll's provenance and reserved.
 */
import { invalid } from '../../http/errors.ts';
import { PROVENANCE_PREFIX } from '../engine/manifests.ts';

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_TOTAL_BYTES = 256 * 1024;

function keyProblem(key: string): string | undefined {
  if (key.startsWith(PROVENANCE_PREFIX))
    return `keys under ${PROVENANCE_PREFIX} are reserved for Atoll's provenance annotations`;
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !PREFIX.test(prefix))) {
    return 'the prefix before "/" must be a DNS subdomain (lowercase alphanumerics, "-" and ".", at most 253 characters)';
  }
  if (!NAME.test(name)) {
    return 'the name must be 1–63 characters of alphanumerics, "-", "_" and ".", starting and ending with an alphanumeric';
  }
  return undefined;
}

/** Throws 422 naming the first bad annotation key, or when all of them are too large together. */
export function assertExtraAnnotations(annotations: Record<string, string>): void {
  let total = 0;
  for (const [key, value] of Object.entries(annotations)) {
    const problem = keyProblem(key);
    if (problem) throw invalid(['body', 'extra_annotations', key], `annotation "${key}": ${problem}`);
    total += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (total > MAX_TOTAL_BYTES) {
    throw invalid(
      ['body', 'extra_annotations'],
      `annotations total ${total} bytes; Kubernetes allows at most ${MAX_TOTAL_BYTES} per object`,
    );
  }
}
