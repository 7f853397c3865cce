/**
 * `atoll package publish [dir]`: packs a package directory (atoll.package.json, inputs.schema.json,
 * render.js, manifests/*.yaml), uploads it, and registers it: a new package named by its
 * atoll.package.json, or a new version of the package of that name. With `--helm oci://…/chart
 * --version X`: a Helm package of that chart (named by the chart, or --name), created, or given the
 * chart version as a new version. Talks to a running server over HTTP, like any other client.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { packDirectory } from '../installs/packages/pack.ts';
import { CliError } from './errors.ts';

export type PublishOptions = {
  dir: string;
  url: string;
  token: string;
  workspace: string | undefined;
};

export type HelmPublishOptions = Omit<PublishOptions, 'dir'> & {
  /** oci://host[:port]/path/chart */
  chartUrl: string;
  version: string;
  /** The package name; default the chart's (the last segment of chartUrl). */
  name: string | undefined;
  /** A JSON or YAML file of values over the chart's values.yaml for every install. */
  valuesFile: string | undefined;
};

type Answer = { status: number; body: any };

async function call(
  options: Omit<PublishOptions, 'dir'>,
  method: string,
  route: string,
  body?: Uint8Array | Record<string, unknown>,
): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
  if (options.workspace) headers['akua-context'] = options.workspace;
  const raw = body instanceof Uint8Array;
  if (body) headers['content-type'] = raw ? 'application/gzip' : 'application/json';
  let res: Response;
  try {
    res = await fetch(`${options.url}${route}`, {
      method,
      headers,
      body: body === undefined ? undefined : raw ? Buffer.from(body) : JSON.stringify(body),
    });
  } catch (error) {
    throw new CliError(
      `cannot reach ${options.url} (${(error as Error).message}); is "atoll serve" running? (--url)`,
      1,
    );
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}

function failure(what: string, answer: Answer): CliError {
  const errors = (answer.body as { errors?: Array<{ message: string; path?: string[] }> })?.errors;
  const detail = errors?.length
    ? errors.map((e) => (e.path?.length ? `${e.path.join('.')}: ${e.message}` : e.message)).join('; ')
    : String(answer.body).slice(0, 500);
  return new CliError(`${what} failed (HTTP ${answer.status}): ${detail}`, 1);
}

async function findPackage(
  options: Omit<PublishOptions, 'dir'>,
  name: string,
): Promise<{ id: string } | undefined> {
  let cursor: string | undefined;
  do {
    const answer = await call(
      options,
      'GET',
      `/v1/packages?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (answer.status !== 200) throw failure('listing packages', answer);
    const found = (answer.body.data as Array<{ id: string; name: string }>).find((p) => p.name === name);
    if (found) return found;
    cursor = answer.body.next_cursor ?? undefined;
  } while (cursor);
  return undefined;
}

export async function publishPackage(options: PublishOptions): Promise<Record<string, unknown>> {
  let manifest: { name?: unknown; version?: unknown };
  try {
    manifest = JSON.parse(await fs.readFile(path.join(options.dir, 'atoll.package.json'), 'utf8'));
  } catch (error) {
    throw new CliError(`${path.join(options.dir, 'atoll.package.json')}: ${(error as Error).message}`, 1);
  }
  const { bytes, files } = await packDirectory(options.dir);
  const uploaded = await call(options, 'POST', '/v1/package_artifacts', bytes);
  if (uploaded.status !== 200 && uploaded.status !== 201) throw failure('uploading the package', uploaded);
  const ref = uploaded.body.ref as string;
  const existing = typeof manifest.name === 'string' ? await findPackage(options, manifest.name) : undefined;
  if (existing) {
    const version = await call(options, 'POST', `/v1/packages/${existing.id}/versions`, bytes);
    if (version.status !== 201) throw failure(`registering version ${String(manifest.version)}`, version);
    return {
      package_id: existing.id,
      package_version_id: version.body.id,
      semver: version.body.semver,
      ref,
      files,
    };
  }
  const created = await call(options, 'POST', '/v1/packages', bytes);
  if (created.status !== 202) throw failure('creating the package', created);
  const response = created.body.response as { package_id: string; package_version_id: string };
  return {
    package_id: response.package_id,
    package_version_id: response.package_version_id,
    semver: manifest.version,
    ref,
    files,
  };
}

/** Publishes a chart version from an OCI registry as a Helm package (created, or a new version of it). */
export async function publishHelmPackage(options: HelmPublishOptions): Promise<Record<string, unknown>> {
  const match = /^oci:\/\/(.+)\/([^/]+)$/.exec(options.chartUrl);
  if (!match) {
    throw new CliError(
      `--helm takes the chart's OCI address, oci://host[:port]/path/chart (got ${JSON.stringify(options.chartUrl)})`,
    );
  }
  const [, repo, chart] = match;
  let values: Record<string, unknown> | undefined;
  if (options.valuesFile) {
    try {
      values = parseYaml(await fs.readFile(options.valuesFile, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new CliError(`${options.valuesFile}: ${(error as Error).message}`);
    }
    if (values === null || typeof values !== 'object' || Array.isArray(values))
      throw new CliError(`${options.valuesFile}: the values must be a mapping (key: value)`);
  }
  const source = {
    kind: 'helm',
    repo_url: `oci://${repo}`,
    chart,
    target_revision: options.version,
    ...(values ? { values } : {}),
  };
  const name = options.name ?? chart!;
  const existing = await findPackage(options, name);
  if (existing) {
    const version = await call(options, 'POST', `/v1/packages/${existing.id}/versions`, {
      sources: [source],
    });
    if (version.status !== 201) throw failure(`registering chart version ${options.version}`, version);
    return {
      package_id: existing.id,
      package_version_id: version.body.id,
      semver: version.body.semver,
      ref: version.body.ref,
    };
  }
  const created = await call(options, 'POST', '/v1/packages', { name, sources: [source] });
  if (created.status !== 202) throw failure('creating the package', created);
  const response = created.body.response as { package_id: string; package_version_id: string };
  const version = await call(
    options,
    'GET',
    `/v1/packages/${response.package_id}/versions/${response.package_version_id}`,
  );
  return {
    package_id: response.package_id,
    package_version_id: response.package_version_id,
    semver: version.body?.semver,
    ref: version.body?.ref,
  };
}

/** The token to use: --token, else the bootstrap token file of the local data directory. */
export async function defaultToken(dataDir: string): Promise<string> {
  try {
    return (await fs.readFile(path.join(dataDir, 'bootstrap-token'), 'utf8')).trim();
  } catch {
    throw new CliError(`no --token given and no ${path.join(dataDir, 'bootstrap-token')} to read one from`);
  }
}
