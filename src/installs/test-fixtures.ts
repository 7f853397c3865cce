/**
 * Shared steps of the installs tests: package archives, publishing over HTTP, installs and renders
 * waited for through their operations, cloning the served repository with the git CLI over a real
 * socket, and recomputing a render hash from committed files the way akua defines it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { sha256DigestOfParts } from '../lib/digest.ts';
import { tempDir, type Harness } from '../testing/harness.ts';
import { packFiles } from './packages/pack.ts';

const run = promisify(execFile);

export const GIT_ENV = {
  ...process.env,
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_NOSYSTEM: '1',
  HOME: tempDir('atoll-git-home-'),
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: GIT_ENV, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

export const SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', default: 'web' },
    replicas: { type: 'integer', minimum: 0, default: 1 },
  },
};

export const PROGRAM = `export default function render(input, ctx) {
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: input.name + '-config' }, data: { replicas: String(input.replicas) } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: input.name }, spec: { replicas: input.replicas } },
  ];
}`;

export type PackageFiles = {
  name?: string;
  version?: string;
  schema?: unknown;
  program?: string;
  manifests?: Record<string, string>;
};

export async function archive(files: PackageFiles = {}): Promise<Uint8Array> {
  const out: Record<string, string> = {
    'atoll.package.json': JSON.stringify({ name: files.name ?? 'web', version: files.version ?? '1.0.0' }),
    'inputs.schema.json': JSON.stringify(files.schema ?? SCHEMA),
    'render.js': files.program ?? PROGRAM,
  };
  for (const [file, content] of Object.entries(files.manifests ?? {})) out[`manifests/${file}`] = content;
  return packFiles(out);
}

const GZIP = { 'content-type': 'application/gzip' };

/** Creates a package from an archive; its id and first version's id. */
export async function publish(
  h: Harness,
  files: PackageFiles = {},
  token = h.token,
): Promise<{ packageId: string; versionId: string }> {
  const res = await h.request('POST', '/v1/packages', {
    raw: Buffer.from(await archive(files)),
    headers: GZIP,
    token,
  });
  assert.equal(res.status, 202, res.text);
  return { packageId: res.body.response.package_id, versionId: res.body.response.package_version_id };
}

/** Adds a version to a package from an archive. */
export async function addVersion(h: Harness, packageId: string, files: PackageFiles): Promise<string> {
  const res = await h.request('POST', `/v1/packages/${packageId}/versions`, {
    raw: Buffer.from(await archive(files)),
    headers: GZIP,
  });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

export async function waitOperation(h: Harness, id: string, token = h.token): Promise<any> {
  for (let i = 0; i < 10; i++) {
    const res = await h.request('POST', `/v1/operations/${id}:wait?timeout=30`, { token });
    assert.equal(res.status, 200, res.text);
    if (res.body.done) return res.body;
  }
  assert.fail(`operation ${id} did not finish`);
}

/** Creates an install and waits for its first render; the install as served then. */
export async function install(
  h: Harness,
  packageId: string,
  values: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): Promise<any> {
  const res = await h.request('POST', '/v1/installs', {
    body: {
      package_id: packageId,
      package_version_pin: { kind: 'latest' },
      region_id: 'local',
      initial_values: values,
      ...extra,
    },
  });
  assert.equal(res.status, 202, res.text);
  const op = await waitOperation(h, res.body.id);
  assert.equal(op.state, 'SUCCEEDED', JSON.stringify(op));
  return (await h.request('GET', `/v1/installs/${res.body.owner_id}`)).body;
}

/** Starts a render (201) and waits for it to settle; the settled render. */
export async function render(
  h: Harness,
  installId: string,
  body: Record<string, unknown> = {},
): Promise<any> {
  const res = await h.request('POST', `/v1/installs/${installId}/renders`, { body });
  assert.equal(res.status, 201, res.text);
  // An unchanged render may be skipped at once (renders/fast-skip.ts); anything else is queued.
  assert.ok(
    res.body.state === 'running' || (res.body.state === 'skipped' && body.skip_unchanged !== false),
    res.text,
  );
  await waitOperation(h, res.body.operation_id);
  return (await h.request('GET', `/v1/installs/${installId}/renders/${res.body.id}`)).body;
}

/** `git clone` of an install's repository over HTTP from `base` (a listening server), with the API token. */
export async function cloneInstall(base: string, cloneUrl: string, token: string): Promise<string> {
  const url = new URL(cloneUrl);
  const target = new URL(base);
  const dir = path.join(tempDir('atoll-clone-'), 'repo');
  await git(
    process.cwd(),
    'clone',
    '--quiet',
    `${target.protocol}//x:${token}@${target.host}${url.pathname}`,
    dir,
  );
  return dir;
}

/** The render hash of a checkout, computed as akua does: sha256 over `filename\nyaml` of manifests/ in order. */
export function hashOfCheckout(dir: string): string {
  const files = fs.readdirSync(path.join(dir, 'manifests')).sort();
  return sha256DigestOfParts(
    files.flatMap((file) => [`${file}\n`, fs.readFileSync(path.join(dir, 'manifests', file))]),
  );
}
