/**
 * The helm CLI steps tests and benches need around a fixture chart (src/testing/charts.ts): package a
 * chart directory, push the package to an OCI registry (logging in first when credentials are given), and
 * `helm template` a chart reference. Every call runs helm in its own temporary HELM_* homes (registry
 * config, cache, config, data) with HOME pointed there too, so the user's ~/.config/helm, ~/.cache/helm
 * and docker credentials are never read or written, and nothing is shared between calls.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const TIMEOUT_MS = 120_000;

/** A helm command that failed; carries its arguments and output for the test's failure message. */
export class HelmCommandError extends Error {
  override name = 'HelmCommandError';
  readonly args: string[];
  readonly stderr: string;
  constructor(args: string[], stderr: string, reason: string) {
    super(`helm ${args.join(' ')} failed: ${reason}${stderr ? `\n${stderr.trim()}` : ''}`);
    this.args = args;
    this.stderr = stderr;
  }
}

type Run = (args: string[], input?: string) => Promise<{ stdout: string; stderr: string }>;

/** Runs `use` with a helm runner confined to fresh temporary homes, removed afterwards. */
async function withIsolatedHelm<T>(helm: string, use: (run: Run) => Promise<T>): Promise<T> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-helm-home-'));
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    HELM_REGISTRY_CONFIG: path.join(home, 'registry', 'config.json'),
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
    DOCKER_CONFIG: path.join(home, 'docker'),
  };
  const run: Run = (args, input) =>
    new Promise((resolve, reject) => {
      const child = execFile(
        helm,
        args,
        { env, timeout: TIMEOUT_MS, maxBuffer: 256 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error) reject(new HelmCommandError(args, stderr, error.message.split('\n')[0]!));
          else resolve({ stdout, stderr });
        },
      );
      child.stdin!.end(input ?? '');
    });
  try {
    return await use(run);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** `helm package <chartDir> --destination <outDir>`; returns the path of the .tgz written. */
export async function helmPackage(helm: string, chartDir: string, outDir: string): Promise<string> {
  return withIsolatedHelm(helm, async (run) => {
    const args = ['package', chartDir, '--destination', outDir];
    const { stdout } = await run(args);
    const saved = /saved it to: (.+\.tgz)\s*$/m.exec(stdout);
    if (!saved) throw new HelmCommandError(args, '', `no package path in ${JSON.stringify(stdout)}`);
    return saved[1]!;
  });
}

/**
 * `helm push <tgz> <ociBase> --plain-http` (ociBase like `oci://127.0.0.1:PORT/charts`), after
 * `helm registry login --password-stdin` when a username is given; returns the manifest digest helm reports.
 */
export async function helmPush(
  helm: string,
  tgzPath: string,
  ociBase: string,
  opts: { username?: string; password?: string } = {},
): Promise<{ digest: string }> {
  return withIsolatedHelm(helm, async (run) => {
    if (opts.username !== undefined) {
      const host = ociBase.replace(/^oci:\/\//, '').split('/')[0]!;
      await run(
        ['registry', 'login', host, '--plain-http', '--username', opts.username, '--password-stdin'],
        opts.password ?? '',
      );
    }
    const args = ['push', tgzPath, ociBase, '--plain-http'];
    const { stdout, stderr } = await run(args);
    const digest = /^Digest: (sha256:[0-9a-f]{64})$/m.exec(`${stdout}\n${stderr}`);
    if (!digest) throw new HelmCommandError(args, stderr, `no digest in ${JSON.stringify(stdout)}`);
    return { digest: digest[1]! };
  });
}

/**
 * `helm template <release> <chartRef> --namespace <namespace> [--values <valuesFile>] [...extraArgs]`;
 * returns the rendered YAML stream. Pass `--plain-http`, `--version`, `--username`/`--password` or
 * `--include-crds` through extraArgs.
 */
export async function helmTemplate(
  helm: string,
  chartRef: string,
  opts: { release: string; namespace: string; valuesFile?: string; extraArgs?: string[] },
): Promise<string> {
  return withIsolatedHelm(helm, async (run) => {
    const args = ['template', opts.release, chartRef, '--namespace', opts.namespace];
    if (opts.valuesFile) args.push('--values', opts.valuesFile);
    const { stdout } = await run([...args, ...(opts.extraArgs ?? [])]);
    return stdout;
  });
}
