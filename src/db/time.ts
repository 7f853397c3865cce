/** Timestamps: stored as timestamptz, served as Unix seconds (Akua family) or ISO-8601 (agent deployments). */

/** Unix seconds of a timestamp column. */
export function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

export function unixSecondsOrNull(date: Date | null): number | null {
  return date === null ? null : unixSeconds(date);
}

/** ISO-8601 UTC of a timestamp column (agent-deployments family). */
export function iso(date: Date): string {
  return date.toISOString();
}

export function isoOrNull(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}
