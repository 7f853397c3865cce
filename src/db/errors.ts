/** Recognising database errors that are expected outcomes (e.g. a unique key already taken). */

/** True when the error is a Postgres unique violation (optionally of the named constraint). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string; message?: string } | null;
  if (!e || e.code !== '23505') return false;
  if (constraint === undefined) return true;
  return e.constraint === constraint || (e.message ?? '').includes(constraint);
}
