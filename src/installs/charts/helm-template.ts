/**
 * `helm template` of a tenant's chart, in a sandbox of its own: the real helm binary (never a
 * reimplementation of Go templates), bound read-only at /opt/tools/helm, run in a bubblewrap sandbox
 * without network (no route anywhere, not even to the host), without a kubeconfig (so `lookup` never
 * reaches a cluster: it returns nothing, as `helm template` does offline), under the render limits:
 * memory, the wall clock (the render is killed at ATOLL_RENDER_TIMEOUT_MS) and the output size
 * (killed past ATOLL_RENDER_OUTPUT_BYTES). Failures are values naming the cause, with Helm's own
 * message trimmed. docs/packages.md "Helm packages".
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { base32 } from '../../db/ids.ts';
import type { SandboxDriver } from '../../sandbox/driver.ts';
import type { RenderFailure } from '../tables.ts';

export type HelmTemplateRequest = {
  /** The chart archive (tar.gz) as pulled. */
  chart: Uint8Array;
  /** The values file helm gets (`--values`): JSON is YAML. */
  values: Record<string, unknown>;
  release: string;
  namespace: string;
};

export type HelmTemplateResult = { ok: true; output: string } | { ok: false; failure: RenderFailure };

export type HelmTemplater = (request: HelmTemplateRequest) => Promise<HelmTemplateResult>;

export type HelmTemplateDeps = {
  driver: SandboxDriver;
  /** Resolves the helm binary (ATOLL_HELM, PATH, npm install's); undefined when there is none. */
  findHelm(): string | undefined;
  limits: { memoryMb: number; wallMs: number; outputBytes: number };
};

const INSIDE_HELM = '/opt/tools/helm';
/** Sandbox ids: this prefix, the creation time (ms, 11 digits) and 16 random characters. */
const SANDBOX_PREFIX = 'sbx_helm';
const WORKDIR = '/workspace';
/** Helm's error output kept for the failure message. */
const STDERR_BYTES = 64 * 1024;
const MESSAGE_CHARS = 2000;
/** Disk for helm's own scratch files, beyond the chart and values. */
const SCRATCH_MB = 64;

/** The arguments every render runs helm with (docs/packages.md lists them; tests compare against them). */
export const HELM_TEMPLATE_FLAGS = ['--include-crds', '--skip-tests'] as const;

/** Helm's message without its `Error: ` prefix, trimmed to a readable length. */
export function trimHelmMessage(stderr: string): string {
  const text = stderr
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^WARNING: /.test(line))
    .join('\n')
    .replace(/^Error: /, '')
    .trim();
  return text.length > MESSAGE_CHARS ? `${text.slice(0, MESSAGE_CHARS)}…` : text;
}

export function createHelmTemplater(deps: HelmTemplateDeps): HelmTemplater {
  const { driver, limits } = deps;
  return async (request) => {
    const helm = deps.findHelm();
    if (!helm) {
      return {
        ok: false,
        failure: {
          code: 'helm_missing',
          message:
            'helm is not installed on the worker: Helm packages render with the helm binary; set ATOLL_HELM to its path, put helm on PATH, or run `npm run helm:install` (README)',
        },
      };
    }
    try {
      await fs.access(helm, fs.constants.X_OK);
    } catch {
      return {
        ok: false,
        failure: { code: 'helm_missing', message: `helm at ${helm} (ATOLL_HELM) is not an executable file` },
      };
    }
    const check = await driver.check();
    if (!check.ok) return { ok: false, failure: { code: 'sandbox_unavailable', message: check.reason } };
    const valuesJson = JSON.stringify(request.values);
    // Room for the chart and values written into the workdir, and for helm's scratch files in /tmp.
    const diskMb = SCRATCH_MB + Math.ceil((request.chart.length + valuesJson.length) / (1024 * 1024));
    const sandbox = await driver.create({
      id: `${SANDBOX_PREFIX}${String(Date.now()).padStart(11, '0')}${base32(randomBytes(10))}`,
      workdir: WORKDIR,
      resources: {
        memoryMb: limits.memoryMb,
        diskMb,
        vcpus: 1,
        processes: 64,
        openFiles: 256,
      },
      internetAccess: false,
    });
    try {
      await fs.writeFile(path.join(sandbox.hostWorkdir, 'chart.tgz'), request.chart, { mode: 0o644 });
      await fs.writeFile(path.join(sandbox.hostWorkdir, 'values.json'), valuesJson, {
        mode: 0o644,
      });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let outBytes = 0;
      let errBytes = 0;
      let stopped: 'output' | 'time' | undefined;
      const proc = sandbox.exec({
        command: `exec ${INSIDE_HELM} template "$RELEASE" ${WORKDIR}/chart.tgz --namespace "$NAMESPACE" --values ${WORKDIR}/values.json ${HELM_TEMPLATE_FLAGS.join(' ')}`,
        env: {
          RELEASE: request.release,
          NAMESPACE: request.namespace,
          HOME: '/tmp',
          HELM_CACHE_HOME: '/tmp/helm/cache',
          HELM_CONFIG_HOME: '/tmp/helm/config',
          HELM_DATA_HOME: '/tmp/helm/data',
          HELM_PLUGINS: '/tmp/helm/plugins',
          KUBECONFIG: '/dev/null',
        },
        tools: [{ host: helm, inside: INSIDE_HELM }],
        onOutput(stream, chunk) {
          if (stream === 'stdout') {
            outBytes += chunk.length;
            if (outBytes > limits.outputBytes) {
              if (!stopped) {
                stopped = 'output';
                void proc.kill();
              }
              return;
            }
            stdout.push(chunk);
          } else if (errBytes < STDERR_BYTES) {
            errBytes += chunk.length;
            stderr.push(chunk);
          }
        },
      });
      const timer = setTimeout(() => {
        stopped ??= 'time';
        void proc.kill();
      }, limits.wallMs);
      const result = await proc.exited.finally(() => clearTimeout(timer));
      if (stopped === 'output') {
        return {
          ok: false,
          failure: {
            code: 'output_too_large',
            message: `helm template printed more than ${limits.outputBytes} bytes (ATOLL_RENDER_OUTPUT_BYTES)`,
          },
        };
      }
      if (stopped === 'time') {
        return {
          ok: false,
          failure: {
            code: 'render_timeout',
            message: `helm template ran longer than ${limits.wallMs} ms (ATOLL_RENDER_TIMEOUT_MS) and was stopped`,
          },
        };
      }
      if (result.limit === 'memory') {
        return {
          ok: false,
          failure: {
            code: 'render_memory',
            message: `helm template used more than ${limits.memoryMb} MiB (ATOLL_RENDER_MEMORY_MB) and was stopped`,
          },
        };
      }
      if (result.exitCode !== 0) {
        const message = trimHelmMessage(Buffer.concat(stderr).toString('utf8'));
        return {
          ok: false,
          failure: {
            code: 'helm_template_failed',
            message: `helm template: ${message || `exited with ${result.exitCode ?? result.signal}`}`,
          },
        };
      }
      return { ok: true, output: Buffer.concat(stdout).toString('utf8') };
    } finally {
      await sandbox.destroy();
    }
  };
}

/** Removes `helm template` sandboxes older than `olderThanMs` (a crashed worker's; renders end sooner). */
export async function removeStaleSandboxes(driver: SandboxDriver, olderThanMs: number): Promise<number> {
  let removed = 0;
  for (const id of await driver.list()) {
    const created = Number(id.slice(SANDBOX_PREFIX.length, SANDBOX_PREFIX.length + 11));
    if (!id.startsWith(SANDBOX_PREFIX) || !(Date.now() - created > olderThanMs)) continue;
    await driver.remove(id);
    removed++;
  }
  return removed;
}
