/**
 * The Helm rows of bench/renders: a fixture chart of HELM_OBJECTS objects (src/testing/charts.ts,
 * with values.schema.json) pushed to a real OCI registry (docker-registry on loopback), created as a
 * package with the published body, installed, then
 *  (h1) render + commit: POST …/renders (skip_unchanged false, a new `bench/generation` extra annotation
 *       each time, so every file changes) until :wait answers with the render deployed: helm template in
 *       a bubblewrap sandbox, the manifests pipeline, the commit;
 *  (h2) a skipped render (skip_unchanged true, the annotations of the last deploy);
 * beside the floor measured in the same run: helm's own `helm template` of the same chart archive and
 * values with the same flags, started from this process (process start included, as in Atoll).
 * Targets on the 2-core machine: (h1) p50 ≤ 600 ms; (h2) p50 ≤ 30 ms.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { HELM_TEMPLATE_FLAGS } from '../src/installs/charts/helm-template.ts';
import { findHelm } from '../src/lib/helm-binary.ts';
import { chartFiles, helmPackage, helmPush, writeChart } from '../src/testing/charts.ts';
import { startRegistry, type TestRegistry } from '../src/testing/oci-registry.ts';
import { benchCall as call, startBenchServer } from './_server.ts';

export const HELM_OBJECTS = 100;
export const TARGET_HELM_RENDER_P50 = 600;
export const TARGET_HELM_SKIP_P50 = 30;
const RENDERS = Number(process.env.BENCH_HELM_RENDERS ?? 20);
const SKIPS = Number(process.env.BENCH_SKIPS ?? 50);
const FLOOR_RUNS = 20;
const WARMUP = 3;
const exec = promisify(execFile);

export type HelmSetup = { helm: string; registry: TestRegistry; tgz: string; stop(): Promise<void> };

/** The registry with the chart pushed; undefined (with the reason printed) when helm or the registry is missing. */
export async function setupHelm(): Promise<HelmSetup | undefined> {
  const helm = findHelm();
  if (!helm) {
    console.log('(helm not found: Helm rows skipped; npm run helm:install)');
    return undefined;
  }
  let registry: TestRegistry;
  try {
    registry = await startRegistry();
  } catch (error) {
    console.log(`(no OCI registry: Helm rows skipped; ${(error as Error).message})`);
    return undefined;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-bench-chart-'));
  const dir = path.join(work, 'bench-chart');
  await writeChart(
    dir,
    chartFiles({ name: 'bench-chart', version: '1.0.0', objects: HELM_OBJECTS, schema: true }),
  );
  const tgz = await helmPackage(helm, dir, work);
  await helmPush(helm, tgz, `oci://${registry.host}/charts`);
  return {
    helm,
    registry,
    tgz,
    async stop() {
      await registry.stop();
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}

/** `helm template` of the chart archive as Atoll runs it, timed from spawn to exit (ms each). */
export async function helmFloor(setup: HelmSetup): Promise<number[]> {
  const values = path.join(path.dirname(setup.tgz), 'values.json');
  fs.writeFileSync(values, '{}');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-bench-helm-home-'));
  const env = {
    HOME: home,
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
    KUBECONFIG: '/dev/null',
  };
  const times: number[] = [];
  for (let i = 0; i < WARMUP + FLOOR_RUNS; i++) {
    const args = ['template', 'bench', setup.tgz, '--namespace', 'bench', '--values', values];
    const start = performance.now();
    await exec(setup.helm, [...args, ...HELM_TEMPLATE_FLAGS], { env, maxBuffer: 64 * 1024 * 1024 });
    if (i >= WARMUP) times.push(performance.now() - start);
  }
  fs.rmSync(home, { recursive: true, force: true });
  return times;
}

/** Renders and skipped renders of the chart's install on `store` (ms each), and the failures. */
export async function measureHelm(
  store: 'pglite' | 'postgres',
  setup: HelmSetup,
): Promise<{ renders: number[]; skips: number[]; failed: number }> {
  const server = await startBenchServer(store, { ATOLL_WORKER_CONCURRENCY: '4', LOG_LEVEL: 'warn' });
  try {
    const url = server.url;
    const created = await call('POST', `${url}/v1/packages`, {
      name: 'bench-chart',
      sources: [
        {
          kind: 'helm',
          repo_url: `oci://${setup.registry.host}/charts`,
          chart: 'bench-chart',
          target_revision: '1.0.0',
        },
      ],
    });
    const op = await call('POST', `${url}/v1/installs`, {
      package_id: created.response.package_id,
      package_version_pin: { kind: 'latest' },
      region_id: 'local',
      initial_values: {},
    });
    const done = await call('POST', `${url}/v1/operations/${op.id}:wait?timeout=60`);
    if (done.state !== 'SUCCEEDED')
      throw new Error(`install.create ended ${done.state}: ${JSON.stringify(done)}`);
    const installId = op.owner_id as string;
    const once = async (skip: boolean, generation: number) => {
      const start = performance.now();
      const r = await call('POST', `${url}/v1/installs/${installId}/renders`, {
        message: `bench ${generation}`,
        skip_unchanged: skip,
        extra_annotations: { 'bench/generation': String(generation) },
      });
      await call('POST', `${url}/v1/operations/${r.operation_id}:wait?timeout=60`);
      const ms = performance.now() - start;
      const final = await call('GET', `${url}/v1/installs/${installId}/renders/${r.id}`);
      return { ms, state: final.state as string };
    };
    const renders: number[] = [];
    const skips: number[] = [];
    let failed = 0;
    let generation = 0;
    for (let i = 0; i < WARMUP + RENDERS; i++) {
      const r = await once(false, ++generation);
      if (r.state !== 'deployed') failed++;
      else if (i >= WARMUP) renders.push(r.ms);
    }
    for (let i = 0; i < SKIPS; i++) {
      const r = await once(true, generation);
      if (r.state !== 'skipped') failed++;
      else skips.push(r.ms);
    }
    return { renders, skips, failed };
  } finally {
    await server.stop();
  }
}
