/**
 * Operation revisions for `if-match` on :cancel. Operations have no version column: their revision is
 * a hash of the served representation, so it changes whenever anything a client can see changes
 * (state, steps, last_error…). Served in the ETag header of get, :wait and :cancel.
 */
import { createHash } from 'node:crypto';
import { aborted } from '../http/errors.ts';
import { canonicalJson } from '../lib/canonical-json.ts';
import type { Operation } from './schemas.ts';

/** The revision of an operation as served. */
export function operationEtag(operation: Operation): string {
  return createHash('sha256').update(canonicalJson(operation)).digest('base64url').slice(0, 22);
}

/** Throws 409 ABORTED (with the current etag) unless `ifMatch` is `*` or names the current revision. */
export function assertOperationIfMatch(ifMatch: string, operation: Operation): void {
  const current = operationEtag(operation);
  const wanted = ifMatch
    .trim()
    .replace(/^W\//, '')
    .replace(/^"(.*)"$/, '$1');
  if (wanted !== '*' && wanted !== current) throw aborted('operation', current);
}
