/**
 * Reading a Helm chart archive (the `.tgz` that `helm package` writes and `helm push` stores): one
 * top-level directory named after the chart, holding Chart.yaml, values.yaml, an optional
 * values.schema.json, templates/, charts/ (subcharts, directories or .tgz files), crds/ and so on.
 * Only what Atoll shows and checks is read — the chart's metadata, its default values and its values
 * schema — but every entry is walked so that an archive that could surprise is refused: absolute
 * paths, `..`, links and devices, files outside the top directory, oversized archives. YAML is read as
 * Helm reads it (YAML 1.1: `yes` is true; timestamps stay strings), and values and schema must be JSON
 * that Atoll can store (src/http/json-guard.ts), like every other JSON from outside.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { parseDocument, type Document } from 'yaml';
import { formatPath, jsonProblems } from '../../http/json-guard.ts';
import type { HelmChartContents } from '../tables.ts';

export const CHART_LIMITS = {
  /** The compressed archive. */
  maxBytes: 10 * 1024 * 1024,
  /** All files together, unpacked. */
  maxUnpackedBytes: 50 * 1024 * 1024,
  /** Files and directories. */
  maxEntries: 5000,
};
export type ChartLimits = typeof CHART_LIMITS;

/** The files read (their path under the top directory); the others are only counted. */
const READ = new Set(['Chart.yaml', 'values.yaml', 'values.schema.json']);
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|[0-9A-Za-z-]*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|[0-9A-Za-z-]*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** A chart that cannot be used, with the file at fault (a path inside the archive) when there is one. */
export class ChartError extends Error {
  override name = 'ChartError';
  readonly file: string | undefined;
  constructor(message: string, file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.file = file;
  }
}

/** What a chart archive holds, read once when it is pulled (stored as HelmChartContents). */
export type ChartContents = Omit<HelmChartContents, 'kind'>;

type Unpacked = { top: string; read: Map<string, Buffer>; files: string[] };

/** Walks the archive, enforcing the limits and path rules; keeps the top directory's READ files. */
async function unpack(bytes: Uint8Array, limits: ChartLimits): Promise<Unpacked> {
  const read = new Map<string, Buffer>();
  const extract = tar.extract();
  let top: string | undefined;
  let total = 0;
  let entries = 0;
  const files: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      entries++;
      const name = header.name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
      const fail = (message: string, file: string | undefined = header.name) => {
        stream.resume();
        reject(new ChartError(message, file));
        extract.destroy();
      };
      if (entries > limits.maxEntries)
        return fail(`the chart archive has more than ${limits.maxEntries} entries`, undefined);
      if (header.type !== 'file' && header.type !== 'directory')
        return fail(`only regular files and directories are allowed in a chart (this is a ${header.type})`);
      const segments = name.split('/');
      if (name === '' || name.startsWith('/') || segments.some((s) => s === '..' || s === '' || s === '.'))
        return fail('paths in a chart archive must be relative, without "." or ".." segments');
      if (top === undefined) top = segments[0]!;
      if (segments[0] !== top)
        return fail(`a chart archive holds one top-level directory (${top}/), and this is outside it`);
      if (header.type === 'directory') {
        stream.resume();
        stream.on('end', next);
        return;
      }
      if (segments.length === 1)
        return fail(
          'a chart archive holds one top-level directory named after the chart; this file is outside it',
        );
      const inner = segments.slice(1).join('/');
      files.push(inner);
      const chunks: Buffer[] = [];
      stream.on('data', (data: unknown) => {
        const chunk = data as Buffer;
        total += chunk.length;
        if (total > limits.maxUnpackedBytes)
          fail(`the chart archive unpacks to more than ${limits.maxUnpackedBytes} bytes`, undefined);
        else if (READ.has(inner)) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (READ.has(inner)) read.set(inner, Buffer.concat(chunks));
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', (error) =>
      reject(
        error instanceof ChartError ? error : new ChartError(`not a valid tar archive (${error.message})`),
      ),
    );
  });
  const gunzip = createGunzip();
  gunzip.on('error', (error) =>
    extract.destroy(new ChartError(`the chart is not a gzip-compressed tar archive (${error.message})`)),
  );
  Readable.from([Buffer.from(bytes)])
    .pipe(gunzip)
    .pipe(extract);
  await done;
  if (top === undefined) throw new ChartError('the chart archive is empty');
  return { top, read, files: files.sort() };
}

/** UTF-8 text of a file, without a byte-order mark. */
function text(content: Buffer): string {
  return content.toString('utf8').replace(/^\uFEFF/, '');
}

/** A YAML file as Helm reads it: YAML 1.1 (yes/no are booleans), timestamps as strings. */
function yaml(file: string, content: Buffer): Document.Parsed {
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text(content), {
      version: '1.1',
      customTags: (tags) =>
        tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp'),
      prettyErrors: false,
    });
  } catch (error) {
    throw new ChartError(`is not valid YAML (${(error as Error).message})`, file);
  }
  if (doc.errors.length > 0) throw new ChartError(`is not valid YAML (${doc.errors[0]!.message})`, file);
  return doc;
}

/** The document as JSON: plain objects, arrays, strings, finite numbers, booleans and null. */
function toJson(file: string, doc: Document.Parsed): unknown {
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ChartError(`cannot be read (${(error as Error).message})`, file);
  }
  storable(value, file);
  // What YAML has and JSON has not (sets, binary, .inf) becomes what JSON makes of it.
  return JSON.parse(JSON.stringify(value) ?? 'null');
}

/** Refuses what the store cannot hold or our code cannot walk: U+0000, lone surrogates, deep nesting. */
function storable(value: unknown, file: string): void {
  const problem = jsonProblems(value, { maxProblems: 1 })[0];
  if (problem) {
    const where = problem.path.length > 0 ? `at ${formatPath(problem, '')}: ` : '';
    throw new ChartError(`${where}${problem.message}`, file);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** An optional string field of Chart.yaml; a number (`appVersion: 1.10`) is kept as written. */
function optionalString(doc: Document.Parsed, meta: Record<string, unknown>, key: string, file: string) {
  const value = meta[key];
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    const node = doc.get(key, true) as { source?: unknown } | undefined;
    return typeof node?.source === 'string' ? node.source : String(value);
  }
  throw new ChartError(`"${key}" must be a string`, file);
}

/** Reads and checks a Helm chart archive; throws ChartError naming the file at fault. */
export async function readChart(
  bytes: Uint8Array,
  limits: Partial<ChartLimits> = {},
): Promise<ChartContents> {
  const max = { ...CHART_LIMITS, ...limits };
  if (bytes.length > max.maxBytes)
    throw new ChartError(`the chart archive is larger than ${max.maxBytes} bytes`);
  const { top, read, files } = await unpack(bytes, max);
  const chartFile = `${top}/Chart.yaml`;
  const rawChart = read.get('Chart.yaml');
  if (!rawChart) throw new ChartError('is missing: this is not a Helm chart', chartFile);
  const chartDoc = yaml(chartFile, rawChart);
  const meta = toJson(chartFile, chartDoc);
  if (!isObject(meta))
    throw new ChartError('must be a YAML mapping (apiVersion, name, version, …)', chartFile);
  if (meta.apiVersion !== 'v1' && meta.apiVersion !== 'v2')
    throw new ChartError('"apiVersion" must be v2 (Helm 3) or v1 (Helm 2)', chartFile);
  if (typeof meta.name !== 'string' || meta.name === '')
    throw new ChartError('"name" is required', chartFile);
  if (meta.name !== top)
    throw new ChartError(
      `"name" is ${JSON.stringify(meta.name)} but the chart's directory is ${top}/; they must be the same (helm package names the directory after the chart)`,
      chartFile,
    );
  const version = optionalString(chartDoc, meta, 'version', chartFile);
  if (version === null) throw new ChartError('"version" is required', chartFile);
  if (!SEMVER.test(version)) {
    const hint = /^v\d/.test(version)
      ? ` without the leading "v" (${version.slice(1)}): a "v" prefix is not part of SemVer and OCI tags of Helm charts never carry it`
      : ' such as 1.2.3';
    throw new ChartError(`"version" ${JSON.stringify(version)} must be a SemVer 2 version${hint}`, chartFile);
  }
  let values: Record<string, unknown> = {};
  const rawValues = read.get('values.yaml');
  if (rawValues) {
    const parsed = toJson(`${top}/values.yaml`, yaml(`${top}/values.yaml`, rawValues));
    if (parsed !== null && !isObject(parsed))
      throw new ChartError('must be a YAML mapping of values (or empty)', `${top}/values.yaml`);
    values = parsed ?? {};
  }
  let valuesSchema: Record<string, unknown> | null = null;
  const rawSchema = read.get('values.schema.json');
  if (rawSchema) {
    const file = `${top}/values.schema.json`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text(rawSchema));
    } catch (error) {
      throw new ChartError(`is not valid JSON (${(error as Error).message})`, file);
    }
    if (!isObject(parsed)) throw new ChartError('must be a JSON object (a JSON Schema)', file);
    storable(parsed, file);
    valuesSchema = parsed;
  }
  return {
    name: meta.name,
    version,
    app_version: optionalString(chartDoc, meta, 'appVersion', chartFile),
    description: optionalString(chartDoc, meta, 'description', chartFile),
    values,
    values_schema: valuesSchema,
    files,
  };
}
