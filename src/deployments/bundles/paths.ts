/**
 * Path rules shared by the planner, the upload check and extraction: what an entry path inside a
 * bundle may look like, and whether a symlink stays inside the bundle root once every symlink it
 * passes through (inside the bundle) is followed.
 */

/** Longest entry path a manifest can carry (BundleEntry.path). */
export const MAX_ENTRY_PATH = 1024;

/** How many symlinks one resolution may follow before it counts as a loop (Linux's own limit). */
const MAX_SYMLINK_HOPS = 40;

/**
 * The canonical form of a tar entry name (`./` prefixes and a directory's trailing `/` removed), or a
 * sentence saying why it is refused. `''` is the bundle root (GNU tar's `./` entry).
 */
export function normalizeEntryPath(
  name: string,
  isDirectory: boolean,
): { ok: true; path: string } | { ok: false; reason: string } {
  if (name.includes('\0')) return { ok: false, reason: 'the path contains a NUL byte' };
  if (name === '') return { ok: false, reason: 'the path is empty' };
  if (name.startsWith('/')) return { ok: false, reason: 'the path is absolute' };
  let path = name;
  while (path.startsWith('./')) path = path.slice(2);
  if (isDirectory) path = path.replace(/\/+$/, '');
  if (path === '' || path === '.')
    return isDirectory ? { ok: true, path: '' } : { ok: false, reason: 'the path is empty' };
  if (path.length > MAX_ENTRY_PATH)
    return { ok: false, reason: `the path is longer than ${MAX_ENTRY_PATH} characters` };
  const segments = path.split('/');
  if (segments.includes('..')) return { ok: false, reason: 'the path has a ".." segment' };
  if (segments.some((s) => s === '' || s === '.'))
    return { ok: false, reason: 'the path has an empty or "." segment' };
  return { ok: true, path };
}

/** The parent directories of a normalized entry path, outermost first (`a/b/c` → `a`, `a/b`). */
export function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) out.push(path.slice(0, i));
  return out;
}

/**
 * Why the symlink at `linkPath` with `target` leaves the bundle root, or null when it stays inside.
 * The target is resolved from the link's directory; a component that is itself a symlink in the
 * bundle (`symlinks`: path → target) is followed, so `a -> sub/..` cannot escape by way of `sub`.
 * Components that are not in the bundle count as plain directories (a dangling link is allowed).
 */
export function symlinkEscape(
  linkPath: string,
  target: string,
  symlinks: ReadonlyMap<string, string>,
): string | null {
  if (target === '') return 'the symlink target is empty';
  if (target.includes('\0')) return 'the symlink target contains a NUL byte';
  if (target.startsWith('/')) return `the symlink target "${target}" is absolute`;
  const stack = linkPath.split('/').slice(0, -1);
  const queue = target.split('/');
  let hops = 0;
  while (queue.length > 0) {
    const part = queue.shift()!;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (stack.length === 0) return `the symlink target "${target}" leaves the bundle root`;
      stack.pop();
      continue;
    }
    const candidate = [...stack, part].join('/');
    const next = symlinks.get(candidate);
    if (next === undefined) {
      stack.push(part);
      continue;
    }
    if (++hops > MAX_SYMLINK_HOPS) return `the symlink target "${target}" loops through other symlinks`;
    if (next.startsWith('/'))
      return `the symlink target "${target}" passes through absolute symlink "${candidate}"`;
    queue.unshift(...next.split('/'));
  }
  return null;
}
