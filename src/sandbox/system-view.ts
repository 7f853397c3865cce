/**
 * The read-only system every sandbox sees: the host's /usr (with /bin, /lib… as on the host, symlinks
 * on a merged-/usr system) and an /etc made of an allowlist of host entries programs need plus generated
 * files naming the sandbox user (passwd, group, hosts; resolv.conf with internet access). They live with
 * the seccomp program under `<root>/.system` (not a sandbox id, so never listed or removed).
 */
import fs from 'node:fs';
import path from 'node:path';
import { INSIDE_UID } from './layout.ts';
import { seccompProgram } from './seccomp.ts';

/** Entries of the host's /etc copied when present. Never shadow, sudoers, ssh keys, … */
const ETC_COPIED = [
  'ssl/openssl.cnf',
  'ca-certificates',
  'ca-certificates.conf',
  'nsswitch.conf',
  'host.conf',
  'gai.conf',
  'protocols',
  'services',
  'mime.types',
  'localtime',
  'timezone',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'os-release',
  'debian_version',
];

/** Host /etc directories of many small entries, bound read-only over empty directories of the copy. */
const ETC_BOUND = ['ssl/certs', 'alternatives'];

const TOP_LEVEL = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

export type SystemView = {
  /** /bin, /lib… : a symlink target (merged /usr) or a directory to bind. */
  topLevel: Array<{ name: string; symlink: string } | { name: string; bind: true }>;
  /** Host directories bound read-only at /etc: without internet access, and with (it adds resolv.conf). */
  etc: { offline: string; online: string };
  /** Host /etc directories (relative) bound read-only at the same place inside. */
  etcBinds: string[];
  /** The seccomp program file, when there is one for this architecture. */
  seccomp: string | undefined;
};

const PASSWD = [
  'root:x:0:0:root:/root:/usr/sbin/nologin',
  `sandbox:x:${INSIDE_UID}:${INSIDE_UID}:sandbox:/tmp:/bin/sh`,
  'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
];
const GROUP = ['root:x:0:', `sandbox:x:${INSIDE_UID}:`, 'nogroup:x:65534:'];
const HOSTS = ['127.0.0.1\tlocalhost sandbox', '::1\tlocalhost ip6-localhost ip6-loopback'];
// slirp4netns's DNS forwarder.
const RESOLV_CONF = ['nameserver 10.0.2.3'];

const lines = (l: string[]) => `${l.join('\n')}\n`;

/**
 * Builds the sandbox /etc directories under `<root>/.system` (copies of the allowlisted host files,
 * symlinks kept as they are, plus the generated files) and looks at the host's system layout. One
 * directory bound at /etc (and two for directories of hundreds of links, which are slow to copy) costs a
 * few mounts per command instead of one per entry. The copies are made again when a host entry changed
 * since (checked at the driver's first use, i.e. per server start).
 */
export function prepareSystemView(root: string): SystemView {
  const dir = path.join(root, '.system');
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const entries = ETC_COPIED.filter((entry) => fs.existsSync(path.join('/etc', entry)));
  const etcBinds = ETC_BOUND.filter((entry) =>
    fs.statSync(path.join('/etc', entry), { throwIfNoEntry: false })?.isDirectory(),
  );
  const generated = { passwd: lines(PASSWD), group: lines(GROUP), hosts: lines(HOSTS) };
  const stamp = JSON.stringify([
    entries.map((entry) => {
      const stat = fs.lstatSync(path.join('/etc', entry));
      return [entry, stat.ino, stat.size, stat.mtimeMs];
    }),
    etcBinds,
    generated,
    RESOLV_CONF,
  ]);
  const stampFile = path.join(dir, 'etc.stamp');
  const etc = { offline: path.join(dir, 'etc'), online: path.join(dir, 'etc-net') };
  const current = fs.existsSync(stampFile) ? fs.readFileSync(stampFile, 'utf8') : undefined;
  if (current !== stamp || !fs.existsSync(etc.offline) || !fs.existsSync(etc.online)) {
    buildEtc(etc.offline, entries, etcBinds, generated);
    buildEtc(etc.online, entries, etcBinds, { ...generated, 'resolv.conf': lines(RESOLV_CONF) });
    writeAtomically(stampFile, stamp);
  }
  const program = seccompProgram();
  return {
    topLevel: TOP_LEVEL.flatMap((name): SystemView['topLevel'] => {
      const stat = fs.lstatSync(`/${name}`, { throwIfNoEntry: false });
      if (!stat) return [];
      if (stat.isSymbolicLink()) return [{ name, symlink: fs.readlinkSync(`/${name}`) }];
      return stat.isDirectory() ? [{ name, bind: true as const }] : [];
    }),
    etc,
    etcBinds,
    seccomp: program ? writeAtomically(path.join(dir, 'seccomp.bpf'), program) : undefined,
  };
}

/** Makes `target` afresh: built beside it, then swapped in. */
function buildEtc(
  target: string,
  entries: string[],
  mountPoints: string[],
  generated: Record<string, string>,
): void {
  const temp = `${target}.${process.pid}.tmp`;
  fs.rmSync(temp, { recursive: true, force: true });
  fs.mkdirSync(temp, { mode: 0o755 });
  for (const entry of entries) {
    const to = path.join(temp, entry);
    fs.mkdirSync(path.dirname(to), { recursive: true, mode: 0o755 });
    copyEntry(path.join('/etc', entry), to);
  }
  for (const entry of mountPoints) fs.mkdirSync(path.join(temp, entry), { recursive: true, mode: 0o755 });
  for (const [name, content] of Object.entries(generated))
    fs.writeFileSync(path.join(temp, name), content, { mode: 0o644 });
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(temp, target);
}

/** Copies files, directories and symlinks (as they are, never followed); skips anything else. */
function copyEntry(from: string, to: string): void {
  const stat = fs.lstatSync(from);
  if (stat.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(from), to);
  else if (stat.isFile()) fs.copyFileSync(from, to);
  else if (stat.isDirectory()) {
    fs.mkdirSync(to, { mode: 0o755 });
    for (const name of fs.readdirSync(from)) copyEntry(path.join(from, name), path.join(to, name));
  }
}

function writeAtomically(file: string, content: string | Buffer): string {
  if (fs.existsSync(file) && fs.readFileSync(file).equals(Buffer.from(content))) return file;
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, content, { mode: 0o644 });
  fs.renameSync(temp, file);
  return file;
}
