/**
 * Redaction of a run's env values from its captured output: every exact occurrence of a value is
 * replaced before a line is stored. Values shorter than MIN_REDACTED characters are left alone
 * (redacting "1" or "on" would garble every line and such values protect nothing); docs say so.
 */
export const MIN_REDACTED = 3;
const MASK = '[redacted]';

export type Redactor = { readonly longest: number; apply(text: string): string };

export function createRedactor(values: Iterable<string>): Redactor {
  const secrets = [...new Set([...values].filter((v) => v.length >= MIN_REDACTED))].sort(
    (a, b) => b.length - a.length,
  );
  const longest = secrets[0]?.length ?? 0;
  return {
    longest,
    apply(text) {
      if (secrets.length === 0) return text;
      let out = text;
      for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(MASK);
      return out;
    },
  };
}
