/**
 * The `[bundle]` pattern language, gitignore-like: `*` and `?` match within one path segment (dotfiles
 * included), `**` matches any number of segments, `[abc]`/`[!abc]` a character class, `{a,b}` either
 * alternative. A pattern without a `/` (other than a trailing one) matches a name at any depth; one
 * with a `/` inside, or a leading `/`, is anchored at the bundle root. A trailing `/` matches
 * directories only. A pattern that matches a directory matches everything beneath it.
 */

export type BundlePattern = {
  /** The pattern as written. */
  source: string;
  regex: RegExp;
  anchored: boolean;
  directoryOnly: boolean;
  /** The pattern's segments that have no wildcard (used to let an include name a default-excluded path). */
  literalSegments: ReadonlySet<string>;
};

const WILDCARD = /[*?[{]/;

/** Why a pattern is unusable, or null. */
export function patternProblem(source: string): string | null {
  if (source.trim() === '') return 'is empty';
  if (source.includes('\0')) return 'contains a NUL byte';
  if (source.length > 1024) return 'is longer than 1024 characters';
  if (source.split('/').includes('..')) return 'has a ".." segment; patterns are relative to the bundle root';
  return null;
}

/** Compiles a pattern (check it with patternProblem first). */
export function compilePattern(source: string): BundlePattern {
  let body = source;
  const directoryOnly = body.endsWith('/');
  body = body.replace(/\/+$/, '');
  const anchored = body.startsWith('/') || body.includes('/');
  body = body.replace(/^\/+/, '');
  while (body.startsWith('./')) body = body.slice(2);
  const segments = body.split('/');
  return {
    source,
    regex: new RegExp(`^${segmentsToRegex(segments)}$`),
    anchored,
    directoryOnly,
    literalSegments: new Set(segments.filter((s) => s !== '' && !WILDCARD.test(s))),
  };
}

/**
 * Where `pattern` matches the path given as segments: the index of the last segment of the matching
 * prefix (the matching name for unanchored patterns), or -1. `isDirectory` says whether the whole
 * path is a directory.
 */
export function matchIndex(
  pattern: BundlePattern,
  segments: readonly string[],
  isDirectory: boolean,
): number {
  const last = segments.length - 1;
  let prefix = '';
  for (let k = 0; k <= last; k++) {
    prefix = k === 0 ? segments[0]! : `${prefix}/${segments[k]}`;
    if (k === last && pattern.directoryOnly && !isDirectory) return -1;
    if (pattern.regex.test(pattern.anchored ? prefix : segments[k]!)) return k;
  }
  return -1;
}

function segmentsToRegex(segments: string[]): string {
  let out = '';
  let afterGlobstar = false;
  segments.forEach((segment, i) => {
    const last = i === segments.length - 1;
    if (segment === '**') {
      if (last) out += i === 0 ? '.*' : '/.*';
      else out += i === 0 ? '(?:.*/)?' : '/(?:.*/)?';
      afterGlobstar = true;
      return;
    }
    out += (i === 0 || afterGlobstar ? '' : '/') + segmentToRegex(segment);
    afterGlobstar = false;
  });
  return out;
}

function segmentToRegex(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') {
      while (segment[i + 1] === '*') i++;
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end === -1) {
        out += '\\[';
        continue;
      }
      let cls = segment.slice(i + 1, end);
      const negate = cls.startsWith('!') || cls.startsWith('^');
      if (negate) cls = cls.slice(1);
      out += `[${negate ? '^/' : ''}${cls.replace(/[\\\]^]/g, '\\$&')}]`;
      i = end;
    } else if (c === '{') {
      const end = segment.indexOf('}', i + 1);
      if (end === -1) {
        out += '\\{';
        continue;
      }
      out += `(?:${segment
        .slice(i + 1, end)
        .split(',')
        .map(segmentToRegex)
        .join('|')})`;
      i = end;
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return out;
}
