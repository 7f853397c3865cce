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
import {
  createAtollClient,
  errorMessage,
  isAkuaError,
  type AtollClient,
} from '../../packages/client/src/index.ts';
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

/** What a failure report needs of an answer: its status and its body (the error envelope, if any). */
type Answer = { status: number; body: unknown };

type Connection = Omit<PublishOptions, 'dir'>;

function clientFor(options: Connection): AtollClient {
  return createAtollClient({ baseUrl: options.url, token: options.token, workspace: options.workspace });
}

/** Awaits one call of the client; no answer at all (the server is not there) is the CLI's own error. */
async function answered<R extends { data?: unknown; error?: unknown; response: Response }>(
  options: Connection,
  pending: Promise<R>,
): Promise<R & Answer> {
  let result: R;
  try {
    result = await pending;
  } catch (error) {
    throw new CliError(
      `cannot reach ${options.url} (${(error as Error).message}); is "atoll serve" running? (--url)`,
      1,
    );
  }
  return { ...result, status: result.response.status, body: result.error ?? result.data };
}

/** A package archive as a request body: the bytes, sent as application/gzip. */
const archive = (bytes: Uint8Array) => ({ body: bytes, headers: { 'content-type': 'application/gzip' } });

function failure(what: string, answer: Answer): CliError {
  const detail =
    isAkuaError(answer.body) && answer.body.errors.length > 0
      ? errorMessage(answer.body)
      : String(answer.body).slice(0, 500);
  return new CliError(`${what} failed (HTTP ${answer.status}): ${detail}`, 1);
}

async function findPackage(options: Connection, name: string): Promise<{ id: string } | undefined> {
  const client = clientFor(options);
  let cursor: string | undefined;
  do {
    const query: { limit: number; cursor?: string } = { limit: 100 };
    if (cursor) query.cursor = cursor;
    const answer = await answered(options, client.GET('/v1/packages', { params: { query } }));
    if (answer.status !== 200 || !answer.data) throw failure('listing packages', answer);
    const found = answer.data.data.find((p) => p.name === name);
    if (found) return found;
    cursor = answer.data.next_cursor ?? undefined;
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
  const client = clientFor(options);
  const uploaded = await answered(options, client.POST('/v1/package_artifacts', archive(bytes)));
  if (!uploaded.data) throw failure('uploading the package', uploaded);
  const ref = uploaded.data.ref;
  const existing = typeof manifest.name === 'string' ? await findPackage(options, manifest.name) : undefined;
  if (existing) {
    const version = await answered(
      options,
      client.POST('/v1/packages/{id}/versions', { params: { path: { id: existing.id } }, ...archive(bytes) }),
    );
    if (version.status !== 201 || !version.data)
      throw failure(`registering version ${String(manifest.version)}`, version);
    return {
      package_id: existing.id,
      package_version_id: version.data.id,
      semver: version.data.semver,
      ref,
      files,
    };
  }
  const created = await answered(options, client.POST('/v1/packages', archive(bytes)));
  if (created.status !== 202 || !created.data?.response) throw failure('creating the package', created);
  const { response } = created.data;
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
    kind: 'helm' as const,
    repo_url: `oci://${repo}`,
    chart,
    target_revision: options.version,
    ...(values ? { values } : {}),
  };
  const name = options.name ?? chart!;
  const client = clientFor(options);
  const existing = await findPackage(options, name);
  if (existing) {
    const version = await answered(
      options,
      client.POST('/v1/packages/{id}/versions', {
        params: { path: { id: existing.id } },
        body: { sources: [source] },
      }),
    );
    if (version.status !== 201 || !version.data)
      throw failure(`registering chart version ${options.version}`, version);
    return {
      package_id: existing.id,
      package_version_id: version.data.id,
      semver: version.data.semver,
      ref: version.data.ref,
    };
  }
  const created = await answered(options, client.POST('/v1/packages', { body: { name, sources: [source] } }));
  if (created.status !== 202 || !created.data?.response) throw failure('creating the package', created);
  const { response } = created.data;
  const version = await answered(
    options,
    client.GET('/v1/packages/{id}/versions/{version_id}', {
      params: { path: { id: response.package_id, version_id: response.package_version_id } },
    }),
  );
  return {
    package_id: response.package_id,
    package_version_id: response.package_version_id,
    semver: version.data?.semver,
    ref: version.data?.ref,
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
