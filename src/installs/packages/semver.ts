/**
 * Semantic version precedence (semver.org §11), for choosing a package's latest version: the highest
 * release, or the highest pre-release when a package has only pre-releases. Build metadata is ignored.
 */

type Parsed = { core: [number, number, number]; pre: string[] };

function parse(version: string): Parsed {
  const [withoutBuild] = version.split('+', 1) as [string];
  const dash = withoutBuild.indexOf('-');
  const core = (dash < 0 ? withoutBuild : withoutBuild.slice(0, dash)).split('.').map(Number);
  const pre = dash < 0 ? [] : withoutBuild.slice(dash + 1).split('.');
  return { core: [core[0] ?? 0, core[1] ?? 0, core[2] ?? 0], pre };
}

function compareIdentifiers(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return Math.sign(Number(a) - Number(b));
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Negative when a < b, positive when a > b, 0 when they have the same precedence. */
export function compareSemver(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = pa.core[i]! - pb.core[i]!;
    if (d !== 0) return Math.sign(d);
  }
  if (pa.pre.length === 0 || pb.pre.length === 0)
    return pb.pre.length - pa.pre.length === 0 ? 0 : pa.pre.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.min(pa.pre.length, pb.pre.length); i++) {
    const d = compareIdentifiers(pa.pre[i]!, pb.pre[i]!);
    if (d !== 0) return d;
  }
  return Math.sign(pa.pre.length - pb.pre.length);
}

/** The latest of some versions: the highest release, else the highest pre-release. */
export function latestOf<T extends { semver: string }>(versions: readonly T[]): T | undefined {
  const releases = versions.filter((v) => !parse(v.semver).pre.length);
  const pool = releases.length > 0 ? releases : versions;
  let best: T | undefined;
  for (const v of pool) if (!best || compareSemver(v.semver, best.semver) > 0) best = v;
  return best;
}
