/**
 * Bearer secrets (API tokens, git tokens) are never stored: only this hash is, and a presented secret
 * is looked up by it. SHA-256 hex is enough because the secrets are 256 random bits, not passwords.
 */
import { sha256Hex } from './digest.ts';

/** The stored form of a bearer secret: the lowercase hex SHA-256 of its UTF-8 bytes. */
export function hashToken(token: string): string {
  return sha256Hex(token);
}
