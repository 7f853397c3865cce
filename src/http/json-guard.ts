/**
 * What every JSON value Atoll accepts must be before it reaches zod, a store or an isolate: no string
 * or object key containing U+0000 (Postgres text and jsonb cannot hold it), none that is not well-formed
 * UTF-16 (a lone surrogate: jsonb refuses `\ud800`, and text would silently get U+FFFD instead), and no
 * nesting deeper than MAX_JSON_DEPTH. JSON.parse is iterative in V8 and copes with any depth, but
 * JSON.stringify, zod, structured clone and our own recursive helpers overflow the stack on a few
 * thousand levels, so the depth is checked here, by a walk that keeps its own stack and never recurses.
 * Used for request bodies at the HTTP edge (src/http/input-guard.ts) and reusable for any other JSON
 * that comes from outside (snippet inputs and results). docs/api-conventions.md documents the rules.
 */

/**
 * The deepest nesting of objects and arrays accepted; the top-level value is depth 1, so
 * `{"a": {"b": 1}}` is depth 2. Real documents stay far below it; far above it, libraries that
 * recurse (zod, JSON.stringify) run out of stack.
 */
export const MAX_JSON_DEPTH = 64;

/** Problems reported at most per value: enough to fix a request, bounded for a hostile one. */
const MAX_PROBLEMS = 20;

/** Path elements shown for a value nested too deep (its full path is as long as the limit). */
const DEPTH_PATH_SHOWN = 8;

/** Longest key echoed in a path or message; longer keys are cut (a key may be megabytes long). */
const KEY_SHOWN = 128;

export type JsonProblemKind = 'nul' | 'lone_surrogate' | 'too_deep';

export type JsonProblem = {
  kind: JsonProblemKind;
  /** Where, from the walked value: object keys and array indices as strings (["metadata", "a"]). */
  path: string[];
  /** Whether the object key at the end of `path`, rather than the value there, is at fault. */
  key: boolean;
  /** Whether `path` was cut short (only for too_deep: its full path is as long as the limit). */
  truncated: boolean;
  /** What is wrong, without the location (callers prefix the field they name). */
  message: string;
};

export type JsonGuardOptions = {
  /** Deepest nesting accepted (default MAX_JSON_DEPTH). */
  maxDepth?: number;
  /** Stop after this many problems (default 20). */
  maxProblems?: number;
};

/** Why a string cannot be stored as text, or undefined when it can. */
export function textProblem(value: string): Exclude<JsonProblemKind, 'too_deep'> | undefined {
  if (value.includes('\u0000')) return 'nul';
  if (!value.isWellFormed()) return 'lone_surrogate';
  return undefined;
}

const MESSAGES: Record<JsonProblemKind, (key: boolean, maxDepth: number) => string> = {
  nul: (key) =>
    `${key ? 'this object key' : 'the value'} contains the character U+0000 (NUL), which cannot be stored; remove it`,
  lone_surrogate: (key) =>
    `${key ? 'this object key' : 'the value'} is not well-formed Unicode: it has a lone surrogate (such as \\ud800) that is not half of a pair`,
  too_deep: (_key, maxDepth) =>
    `objects and arrays are nested deeper than ${maxDepth} levels (the outermost counts as 1); flatten the structure`,
};

/** One entry of the walk's own stack: a container and how to name it, through its parent. */
type Frame = { value: object; depth: number; parent: Frame | undefined; key: string };

function pathOf(frame: Frame | undefined, last?: string): string[] {
  const path: string[] = last === undefined ? [] : [last];
  for (let f = frame; f?.parent; f = f.parent) path.push(f.key);
  return path.reverse();
}

/** A key as shown in a path: cut to KEY_SHOWN characters without splitting a surrogate pair. */
export function shownKey(key: string): string {
  if (key.length <= KEY_SHOWN) return key;
  const end = /[\ud800-\udbff]/.test(key[KEY_SHOWN - 1]!) ? KEY_SHOWN - 1 : KEY_SHOWN;
  return `${key.slice(0, end)}…`;
}

/**
 * A path as a field name for messages: `metadata.a.0`, with an element that is not plain text shown
 * escaped (`metadata["a\u0000b"]`) and `…` when the path was cut; `fallback` for the empty path.
 */
export function formatPath(problem: Pick<JsonProblem, 'path' | 'truncated'>, fallback: string): string {
  if (problem.path.length === 0) return fallback;
  let out = '';
  for (const element of problem.path) {
    const plain = textProblem(element) === undefined && !/[\u0000-\u001f\u007f"[\]]/.test(element);
    out += plain ? `${out === '' ? '' : '.'}${element}` : `[${JSON.stringify(element)}]`;
  }
  return problem.truncated ? `${out}…` : out;
}

/**
 * Every problem (up to `maxProblems`) in a JSON value, e.g. one from JSON.parse. Iterative: any depth
 * and size is safe, and a tree is visited once (values with shared or cyclic references are only
 * bounded by the depth limit, so pass trees). An empty array means the value is fine.
 */
export function jsonProblems(value: unknown, options: JsonGuardOptions = {}): JsonProblem[] {
  const maxDepth = options.maxDepth ?? MAX_JSON_DEPTH;
  const maxProblems = options.maxProblems ?? MAX_PROBLEMS;
  const problems: JsonProblem[] = [];
  const report = (kind: JsonProblemKind, path: string[], key: boolean): boolean => {
    const truncated = kind === 'too_deep' && path.length > DEPTH_PATH_SHOWN;
    problems.push({
      kind,
      path: truncated ? path.slice(0, DEPTH_PATH_SHOWN) : path,
      key,
      truncated,
      message: MESSAGES[kind](key, maxDepth),
    });
    return problems.length >= maxProblems;
  };

  if (typeof value === 'string') {
    const kind = textProblem(value);
    if (kind) report(kind, [], false);
    return problems;
  }
  if (value === null || typeof value !== 'object') return problems;
  if (maxDepth < 1) {
    report('too_deep', [], false);
    return problems;
  }

  const stack: Frame[] = [{ value, depth: 1, parent: undefined, key: '' }];
  // Checks one member of a container (keys are made strings only when needed); true to stop the walk.
  const visit = (frame: Frame, key: string | number, member: unknown): boolean => {
    if (typeof member === 'string') {
      const kind = textProblem(member);
      return kind !== undefined && report(kind, pathOf(frame, shownKey(String(key))), false);
    }
    if (member === null || typeof member !== 'object') return false;
    if (frame.depth >= maxDepth) return report('too_deep', pathOf(frame, shownKey(String(key))), false);
    stack.push({ value: member, depth: frame.depth + 1, parent: frame, key: shownKey(String(key)) });
    return false;
  };

  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (Array.isArray(frame.value)) {
      const items = frame.value as unknown[];
      for (let i = 0; i < items.length; i++) if (visit(frame, i, items[i])) return problems;
      continue;
    }
    const record = frame.value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const kind = textProblem(key);
      if (kind && report(kind, pathOf(frame, shownKey(key)), true)) return problems;
      if (visit(frame, key, record[key])) return problems;
    }
  }
  return problems;
}
