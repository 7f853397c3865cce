/**
 * `atoll package publish [dir]`: packs a package directory (atoll.package.json, inputs.schema.json,
 * render.js, manifests/*.yaml), uploads it, and registers it: a new package named by its
 * atoll.package.json, or a new version of the package of that name. Talks to a running server over
 * HTTP, like any other client.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { packDirectory } from '../installs/packages/pack.ts';
import { CliError } from './errors.ts';

export type PublishOptions = {
  dir: string;
  url: string;
  token: string;
  workspace: string | undefined;
};

type Answer = { status: number; body: any };

async function call(
  options: PublishOptions,
  method: string,
  route: string,
  body?: Uint8Array,
): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token}` };
  if (options.workspace) headers['akua-context'] = options.workspace;
  if (body) headers['content-type'] = 'application/gzip';
  let res: Response;
  try {
    res = await fetch(`${options.url}${route}`, {
      method,
      headers,
      body: body ? Buffer.from(body) : undefined,
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

async function findPackage(options: PublishOptions, name: string): Promise<{ id: string } | undefined> {
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

/** The token to use: --token, else the bootstrap token file of the local data directory. */
export async function defaultToken(dataDir: string): Promise<string> {
  try {
    return (await fs.readFile(path.join(dataDir, 'bootstrap-token'), 'utf8')).trim();
  } catch {
    throw new CliError(`no --token given and no ${path.join(dataDir, 'bootstrap-token')} to read one from`);
  }
}
