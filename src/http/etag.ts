/**
 * ETags: every mutable resource has an integer `version` that each write bumps; its etag is that number
 * as a string (the spec's example is "42"). `if-match` may carry it bare, quoted or weak (W/"42"), or `*`.
 * Writes are conditional in SQL (`WHERE version = n`), so two writers racing on one etag cannot both win.
 */
import type { Context } from 'hono';
import { aborted } from './errors.ts';

export function etagOf(version: number): string {
  return String(version);
}

/** The version an if-match header names, or undefined for `*` (any version). */
export function versionFromIfMatch(ifMatch: string): number | undefined {
  const value = ifMatch.trim();
  if (value === '*') return undefined;
  const bare = value.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  const n = Number(bare);
  return Number.isSafeInteger(n) && n > 0 ? n : -1;
}

/** Throws 409 ABORTED (with the current etag) unless if-match names the current version. */
export function assertIfMatch(kind: string, ifMatch: string, currentVersion: number): void {
  const wanted = versionFromIfMatch(ifMatch);
  if (wanted !== undefined && wanted !== currentVersion) throw aborted(kind, etagOf(currentVersion));
}

/** Sets the HTTP ETag header (quoted, as HTTP wants) next to the body's etag field. */
export function setEtagHeader(c: Context, etag: string): void {
  c.header('etag', `"${etag}"`);
}
