/**
 * API token secrets: `sk_atoll_` + 43 base64url characters (256 random bits). Only the SHA-256 hex of a
 * token is stored (src/lib/token-hash.ts); its first 13 characters are kept as a display prefix.
 */
import { randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'sk_atoll_';
const DISPLAY_PREFIX_LENGTH = TOKEN_PREFIX.length + 4;

export function generateTokenSecret(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

export function displayPrefix(token: string): string {
  return token.slice(0, DISPLAY_PREFIX_LENGTH);
}
