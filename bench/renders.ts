/**
 * bench/renders, one run, on PGlite and (when a PostgreSQL answers) on Postgres:
 *  (a) render + commit: a package whose render.js returns 500 objects (250 ConfigMaps, 250 Services);
 *      the time from POST /v1/installs/{id}/renders (skip_unchanged false, a new `bench/generation`
 *      extra annotation each time, so all 500 files change) until POST /v1/operations/{id}:wait answers
 *      with the render deployed, measured in this process: p50, p90, p99, mean;
 *  (b) a skipped render (skip_unchanged true, the same annotations as the last deploy), timed the same way;
 *  (c) `git clone` of the install's repository over smart HTTP: median wall time of 5 clones, sizes; and
 *      the same repository cloned by git from its directory (file://), for the cost without HTTP;
 *  (d) the baseline a user would script: the same 500 files, rewritten with the same changed field,
 *      committed from a working tree by `bash -c 'git add -A && git commit -q -m …'`, timed alone and
 *      together with writing the files.
 * Targets on the 2-core machine: (a) p50 ≤ 400 ms; (b) p50 ≤ 30 ms.
 * Then the Helm rows (bench/renders-helm.ts): a 100-object chart from a real OCI registry, render +
 * commit (goal p50 ≤ 600 ms) and a skipped render (≤ 30 ms), beside helm's own `helm template` time.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { packFiles } from '../src/installs/packages/pack.ts';
import { machineLine, table } from './_machine.ts';
import {
  HELM_OBJECTS,
  helmFloor,
  measureHelm,
  setupHelm,
  TARGET_HELM_RENDER_P50,
  TARGET_HELM_SKIP_P50,
} from './renders-helm.ts';
import { BENCH_TOKEN, benchCall as call, postgresAdminUrl, startBenchServer } from './_server.ts';

const OBJECTS = 500;
const RENDERS = Number(process.env.BENCH_RENDERS ?? 30);
const SKIPS = Number(process.env.BENCH_SKIPS ?? 50);
const CLONES = 5;
const WARMUP = 3;
const WORKER_CONCURRENCY = 4;
const TARGET_RENDER_P50 = 400;
const TARGET_SKIP_P50 = 30;
const ANNOTATION = 'bench/generation';
const exec = promisify(execFile);
/** The environment of every git and bash command: a fixed identity, no prompts, no user or system config. */
const gitEnv = {
  PATH: process.env.PATH ?? '',
  HOME: os.tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
};

type Stats = { n: number; p50: number; p90: number; p99: number; mean: number };
type Row = [string, string, number, string, string, string, string, number];

function stats(times: number[]): Stats {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  return {
    n: sorted.length,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    mean: sorted.reduce((s, t) => s + t, 0) / sorted.length,
  };
}

function row(store: string, label: string, s: Stats, failed: number): Row {
  return [store, label, s.n, s.p50.toFixed(1), s.p90.toFixed(1), s.p99.toFixed(1), s.mean.toFixed(1), failed];
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(2)} MiB`;
}

/** Bytes of all files under `dir`. */
function sizeOf(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/**
 * The package: `count` objects, half ConfigMaps and half Services, a few fields each. An install's
 * values change only through change requests, so they stay as created; each measured render changes
 * its output with a new `bench/generation` extra annotation, which is stamped on every object.
 */
const RENDER_JS = `export default function render(input, ctx) {
  const objects = [];
  for (let i = 0; i < input.count / 2; i++) {
    const name = 'app-' + String(i).padStart(3, '0');
    const labels = {
      'app.kubernetes.io/name': name,
      'app.kubernetes.io/instance': ctx.install.id,
      'app.kubernetes.io/part-of': 'bench',
    };
    objects.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: name + '-config', namespace: input.namespace, labels },
      data: {
        GENERATION: String(input.generation),
        LOG_LEVEL: 'info',
        PORT: String(8000 + i),
        'app.yaml': 'name: ' + name + '\\nport: ' + (8000 + i) + '\\nreplicas: 2\\n',
      },
    });
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: input.namespace, labels },
      spec: {
        type: 'ClusterIP',
        selector: { 'app.kubernetes.io/name': name },
        ports: [{ name: 'http', port: 80, targetPort: 8000 + i, protocol: 'TCP' }],
      },
    });
  }
  return objects;
}
`;

const INPUTS_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties: {
    count: { type: 'integer', minimum: 2, maximum: 5000, default: OBJECTS },
    generation: { type: 'integer', minimum: 0, default: 0 },
    namespace: { type: 'string', default: 'bench' },
  },
};

async function publishPackage(url: string): Promise<string> {
  const bytes = await packFiles({
    'atoll.package.json': JSON.stringify({ name: 'bench-renders', version: '1.0.0' }),
    'inputs.schema.json': JSON.stringify(INPUTS_SCHEMA),
    'render.js': RENDER_JS,
  });
  const res = await fetch(`${url}/v1/packages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/gzip' },
    body: Buffer.from(bytes),
  });
  if (res.status !== 202) throw new Error(`creating the package failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { response: { package_id: string } }).response.package_id;
}

async function waitFor(url: string, operationId: string): Promise<any> {
  return call('POST', `${url}/v1/operations/${operationId}:wait?timeout=60`);
}

async function createInstall(url: string, packageId: string): Promise<{ id: string; cloneUrl: string }> {
  const op = await call('POST', `${url}/v1/installs`, {
    package_id: packageId,
    package_version_pin: { kind: 'latest' },
    region_id: 'local',
    initial_values: { count: OBJECTS, generation: 1 },
  });
  const done = await waitFor(url, op.id);
  if (done.state !== 'SUCCEEDED')
    throw new Error(`install.create ended ${done.state}: ${JSON.stringify(done)}`);
  const install = await call('GET', `${url}/v1/installs/${op.owner_id}`);
  return { id: install.id, cloneUrl: install.clone_url };
}

/** One render, timed from the POST until :wait answers; then its final state, read outside the timing. */
async function renderOnce(
  url: string,
  installId: string,
  body: { message: string; skip_unchanged: boolean; extra_annotations: Record<string, string> },
): Promise<{ ms: number; state: string; commitSha: string | null }> {
  const start = performance.now();
  const created = await call('POST', `${url}/v1/installs/${installId}/renders`, body);
  const op = await waitFor(url, created.operation_id);
  const ms = performance.now() - start;
  if (!op.done) return { ms, state: 'timed out', commitSha: null };
  const final = await call('GET', `${url}/v1/installs/${installId}/renders/${created.id}`);
  return { ms, state: final.state, commitSha: final.commit_sha };
}

async function cloneRepo(cloneUrl: string, dir: string): Promise<number> {
  const authed = new URL(cloneUrl);
  authed.username = 'x';
  authed.password = BENCH_TOKEN;
  const start = performance.now();
  await exec('git', ['clone', '-q', authed.toString(), dir], { env: gitEnv });
  return performance.now() - start;
}

type Measured = {
  store: string;
  rows: Row[];
  render: Stats;
  skip: Stats;
  clone: Array<string | number>;
  /** The files of the last render, from a clone: the baseline commits the same. */
  files: Array<{ name: string; content: string }>;
};

async function measure(store: 'pglite' | 'postgres'): Promise<Measured> {
  // The server's data directory is this one (not _server.ts's own), so the repository size can be read.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-bench-renders-'));
  const server = await startBenchServer(store, {
    DATA_DIR: dataDir,
    ATOLL_WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
  });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-bench-clones-'));
  try {
    const packageId = await publishPackage(server.url);
    const install = await createInstall(server.url, packageId);
    let generation = 1;
    const changed = async () => {
      generation++;
      return renderOnce(server.url, install.id, {
        message: `bench render ${generation}`,
        skip_unchanged: false,
        extra_annotations: { [ANNOTATION]: String(generation) },
      });
    };
    for (let i = 0; i < WARMUP; i++) await changed();
    const renderTimes: number[] = [];
    const shas = new Set<string>();
    let renderFailed = 0;
    for (let i = 0; i < RENDERS; i++) {
      const r = await changed();
      if (r.state !== 'deployed' || !r.commitSha || shas.has(r.commitSha)) renderFailed++;
      else shas.add(r.commitSha);
      renderTimes.push(r.ms);
    }
    const skipTimes: number[] = [];
    let skipFailed = 0;
    for (let i = 0; i < SKIPS; i++) {
      const r = await renderOnce(server.url, install.id, {
        message: `bench skip ${i}`,
        skip_unchanged: true,
        extra_annotations: { [ANNOTATION]: String(generation) },
      });
      if (r.state !== 'skipped') skipFailed++;
      skipTimes.push(r.ms);
    }

    const cloneTimes: number[] = [];
    for (let i = 0; i < CLONES; i++)
      cloneTimes.push(await cloneRepo(install.cloneUrl, path.join(work, `c${i}`)));
    const clone = path.join(work, 'c0');
    const commits = (
      await exec('git', ['rev-list', '--count', 'HEAD'], { cwd: clone, env: gitEnv })
    ).stdout.trim();
    const files = fs
      .readdirSync(clone, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && !path.relative(clone, e.parentPath).split(path.sep).includes('.git'))
      .map((e) => path.relative(clone, path.join(e.parentPath, e.name)))
      .sort()
      .map((name) => ({ name, content: fs.readFileSync(path.join(clone, name), 'utf8') }));
    const manifests = files.filter((f) => f.name.startsWith('manifests/')).length;
    if (manifests !== OBJECTS) throw new Error(`the clone has ${manifests} manifests, not ${OBJECTS}`);
    const storage = path.basename(new URL(install.cloneUrl).pathname);
    const serverRepoDir = path.join(dataDir, 'git', storage);
    const serverRepo = sizeOf(serverRepoDir);
    // The same repository cloned by git from its directory: what the clone costs without HTTP.
    const localTimes: number[] = [];
    for (let i = 0; i < CLONES; i++) {
      const start = performance.now();
      await exec('git', ['clone', '-q', `file://${serverRepoDir}`, path.join(work, `l${i}`)], {
        env: gitEnv,
      });
      localTimes.push(performance.now() - start);
    }
    const cloneStats = stats(cloneTimes);

    const render = stats(renderTimes);
    const skip = stats(skipTimes);
    return {
      store,
      rows: [
        row(store, `(a) render + commit, ${OBJECTS} objects, all changed`, render, renderFailed),
        row(store, '(b) render, unchanged output, skipped', skip, skipFailed),
        row(store, `(c) git clone over HTTP (${commits} commits)`, cloneStats, 0),
        row(store, '(c) git clone file:// of the same repository', stats(localTimes), 0),
      ],
      render,
      skip,
      clone: [
        store,
        cloneStats.p50.toFixed(1),
        commits,
        files.length,
        mib(sizeOf(path.join(clone, '.git'))),
        mib(files.reduce((s, f) => s + Buffer.byteLength(f.content), 0)),
        mib(serverRepo),
      ],
      files,
    };
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/**
 * (d): the files of Atoll's last commit (manifests/, inputs.yaml, package.yaml) committed from a working
 * tree by git in bash; each iteration rewrites every file, the manifests with a new generation annotation.
 */
async function shellBaseline(
  files: Array<{ name: string; content: string }>,
): Promise<{ rows: Row[]; total: Stats }> {
  const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'atoll-bench-shell-'));
  const pattern = new RegExp(`(${ANNOTATION}: )"\\d+"`);
  const at = (generation: number) =>
    files.map((f) => {
      if (!f.name.startsWith('manifests/')) return f;
      if (!pattern.test(f.content)) throw new Error(`${f.name} has no ${ANNOTATION} annotation`);
      return { name: f.name, content: f.content.replace(pattern, `$1"${generation}"`) };
    });
  const write = (contents: Array<{ name: string; content: string }>) => {
    for (const f of contents) fs.writeFileSync(path.join(tree, f.name), f.content);
  };
  const commit = (message: string) =>
    exec('bash', ['-c', `git add -A && git commit -q -m '${message}'`], { cwd: tree, env: gitEnv });
  try {
    await exec('git', ['init', '-q', '-b', 'main'], { cwd: tree, env: gitEnv });
    for (const dir of new Set(files.map((f) => path.dirname(f.name))))
      fs.mkdirSync(path.join(tree, dir), { recursive: true });
    let generation = 1;
    write(at(generation));
    await commit('initial');
    const commitTimes: number[] = [];
    const totalTimes: number[] = [];
    for (let i = 0; i < WARMUP + RENDERS; i++) {
      const contents = at(++generation);
      const start = performance.now();
      write(contents);
      const written = performance.now();
      await commit(`bench render ${generation}`);
      const end = performance.now();
      if (i < WARMUP) continue;
      commitTimes.push(end - written);
      totalTimes.push(end - start);
    }
    const changed = (
      await exec('git', ['diff', '--name-only', 'HEAD~1', 'HEAD'], { cwd: tree, env: gitEnv })
    ).stdout
      .trim()
      .split('\n').length;
    if (changed !== OBJECTS)
      throw new Error(`the last shell commit changed ${changed} files, not ${OBJECTS}`);
    const total = stats(totalTimes);
    return {
      rows: [
        row('shell', `(d) git add -A && git commit (bash), ${OBJECTS} changed files`, stats(commitTimes), 0),
        row('shell', `(d) write ${files.length} files + git add -A && git commit`, total, 0),
      ],
      total,
    };
  } finally {
    fs.rmSync(tree, { recursive: true, force: true });
  }
}

const gitVersion = (await exec('git', ['--version'])).stdout.trim();
console.log(
  'bench/renders: render + commit of 500 objects, skipped renders and git clone over HTTP (server in a child process), vs git in a shell',
);
console.log(machineLine());
console.log(
  `conditions: ${OBJECTS} objects per render (${OBJECTS / 2} ConfigMaps + ${OBJECTS / 2} Services), N=${RENDERS} changed renders and N=${SKIPS} skipped ones after ${WARMUP} warm-up renders, one at a time, ${CLONES} clones; ATOLL_WORKER_CONCURRENCY=${WORKER_CONCURRENCY} (renders of one install run one at a time); ${gitVersion}; latencies in ms, measured in this process\n`,
);
const results: Measured[] = [await measure('pglite')];
if (await postgresAdminUrl()) results.push(await measure('postgres'));
else console.log('(PostgreSQL not reachable: Postgres rows skipped)');
const shell = await shellBaseline(results[0]!.files);
console.log(
  table(
    ['store', 'measurement', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'mean ms', 'failed'],
    [...results.flatMap((r) => r.rows), ...shell.rows],
  ),
);
console.log('');
console.log(
  table(
    ['store', 'clone p50 ms', 'commits', 'files', 'clone .git', 'work tree', 'server repo'],
    results.map((r) => r.clone),
  ),
);
console.log('');
const triple = (s: Stats) => [s.p50, s.p90, s.p99].map((t) => t.toFixed(1)).join(' / ');
console.log(
  table(
    [
      'store',
      'Atoll render + commit p50/p90/p99 ms',
      'shell write + add + commit p50/p90/p99 ms',
      'Atoll / shell p50',
    ],
    results.map((r) => [
      r.store,
      triple(r.render),
      triple(shell.total),
      (r.render.p50 / shell.total.p50).toFixed(2),
    ]),
  ),
);
console.log('');
for (const r of results) {
  console.log(
    `target (a) render + commit p50 ≤ ${TARGET_RENDER_P50} ms on ${r.store}: ${r.render.p50.toFixed(1)} ms ${r.render.p50 <= TARGET_RENDER_P50 ? 'PASS' : 'FAIL'}`,
  );
  console.log(
    `target (b) skipped render p50 ≤ ${TARGET_SKIP_P50} ms on ${r.store}: ${r.skip.p50.toFixed(1)} ms ${r.skip.p50 <= TARGET_SKIP_P50 ? 'PASS' : 'FAIL'}`,
  );
}
const helmSetup = await setupHelm();
if (helmSetup) {
  try {
    const floor = stats(await helmFloor(helmSetup));
    const helmRows: Row[] = [];
    const helmTargets: string[] = [];
    for (const r of results) {
      const m = await measureHelm(r.store as 'pglite' | 'postgres', helmSetup);
      const render = stats(m.renders);
      const skip = stats(m.skips);
      helmRows.push(
        row(r.store, `(h1) Helm chart, ${HELM_OBJECTS} objects: render + commit`, render, m.failed),
      );
      helmRows.push(row(r.store, '(h2) Helm chart: skipped render', skip, 0));
      helmTargets.push(
        `target (h1) Helm render + commit p50 ≤ ${TARGET_HELM_RENDER_P50} ms on ${r.store}: ${render.p50.toFixed(1)} ms ${render.p50 <= TARGET_HELM_RENDER_P50 ? 'PASS' : 'FAIL'} (floor: helm template p50 ${floor.p50.toFixed(1)} ms, ${(render.p50 / floor.p50).toFixed(2)}×)`,
        `target (h2) Helm skipped render p50 ≤ ${TARGET_HELM_SKIP_P50} ms on ${r.store}: ${skip.p50.toFixed(1)} ms ${skip.p50 <= TARGET_HELM_SKIP_P50 ? 'PASS' : 'FAIL'}`,
      );
    }
    helmRows.push(row('helm', `(floor) helm template of the same chart, ${HELM_OBJECTS} objects`, floor, 0));
    console.log('');
    console.log(
      table(['store', 'measurement', 'n', 'p50 ms', 'p90 ms', 'p99 ms', 'mean ms', 'failed'], helmRows),
    );
    console.log('');
    for (const line of helmTargets) console.log(line);
  } finally {
    await helmSetup.stop();
  }
}
console.log(
  "(a) and (b) include the client's POST, the queue's pick-up and the :wait long poll; (d) includes starting bash and git, as a script would.",
);
console.log(
  `load avg at the end: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (other work on the machine skews every row)`,
);
