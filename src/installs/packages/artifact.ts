/**
 * Package artifacts: a gzip-compressed tar of
 *
 *   atoll.package.json    {"name": "...", "version": "<semver>", "description"?: "..."}
 *   inputs.schema.json    the input schema (JSON Schema 2020-12, with defaults)
 *   render.js             an ES module without imports: export default function render(input, ctx) { … }
 *   manifests/*.yaml      optional static manifests (one or more YAML documents each)
 *
 * addressed by `sha256:` + the hex SHA-256 of its bytes. Parsing refuses anything that could surprise:
 * absolute paths, `..`, links and devices, unknown files, oversized archives. docs/packages.md.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { parseAllDocuments } from 'yaml';
import { formatPath, jsonProblems, textProblem } from '../../http/json-guard.ts';
import { checkObjects, type KubeObject } from '../engine/manifests.ts';
import { schemaProblems } from '../engine/inputs.ts';
import type { ProgramContents } from '../tables.ts';

export const MAX_ARTIFACT_BYTES = 10 * 1024 * 1024;
const MAX_UNPACKED_BYTES = 50 * 1024 * 1024;
const MAX_ENTRIES = 1000;
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|[0-9A-Za-z-]*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|[0-9A-Za-z-]*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** An artifact that cannot be used, with the file (or field) at fault. */
export class ArtifactError extends Error {
  override name = 'ArtifactError';
  readonly file: string | undefined;
  constructor(message: string, file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.file = file;
  }
}

/** Reads the files of a tar.gz (regular files only), enforcing the size and entry limits. */
async function unpack(bytes: Uint8Array): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  let total = 0;
  let entries = 0;
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      entries++;
      const name = header.name.replace(/^\.\//, '').replace(/\/$/, '');
      const fail = (message: string) => {
        stream.resume();
        reject(new ArtifactError(message, header.name));
        extract.destroy();
      };
      if (entries > MAX_ENTRIES) return fail(`the archive has more than ${MAX_ENTRIES} entries`);
      if (header.type === 'directory') {
        stream.resume();
        stream.on('end', next);
        return;
      }
      if (header.type !== 'file')
        return fail(`only regular files and directories are allowed (this is a ${header.type})`);
      if (
        name === '' ||
        name.startsWith('/') ||
        name.split('/').some((s) => s === '..' || s === '' || s === '.')
      ) {
        return fail('paths must be relative, without "." or ".." segments');
      }
      const chunks: Buffer[] = [];
      stream.on('data', (data: unknown) => {
        const chunk = data as Buffer;
        total += chunk.length;
        if (total > MAX_UNPACKED_BYTES) fail(`the archive unpacks to more than ${MAX_UNPACKED_BYTES} bytes`);
        else chunks.push(chunk);
      });
      stream.on('end', () => {
        files.set(name, Buffer.concat(chunks));
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', (error) =>
      reject(
        error instanceof ArtifactError
          ? error
          : new ArtifactError(`not a valid tar archive (${error.message})`),
      ),
    );
  });
  const gunzip = createGunzip();
  gunzip.on('error', (error) =>
    extract.destroy(new ArtifactError(`not a gzip-compressed archive (${error.message})`)),
  );
  Readable.from([Buffer.from(bytes)])
    .pipe(gunzip)
    .pipe(extract);
  await done;
  return files;
}

function json(files: Map<string, Buffer>, file: string): unknown {
  const raw = files.get(file);
  if (!raw) throw new ArtifactError('is missing', file);
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new ArtifactError(`is not valid JSON (${(error as Error).message})`, file);
  }
  storable(value, file);
  return value;
}

/**
 * Refuses what the store cannot hold or our code cannot walk (src/http/json-guard.ts): U+0000, lone
 * surrogates, nesting deeper than MAX_JSON_DEPTH, like the same values in a JSON request body.
 */
function storable(value: unknown, file: string): void {
  const problem = jsonProblems(value, { maxProblems: 1 })[0];
  if (problem) {
    const where = problem.path.length > 0 ? `at ${formatPath(problem, '')}: ` : '';
    throw new ArtifactError(`${where}${problem.message}`, file);
  }
}

/** A text file of the archive, refused if it holds U+0000 (which text columns cannot store). */
function text(file: string, content: Buffer): string {
  // UTF-8 decoding replaces invalid bytes, so the text is well-formed; only U+0000 is left to refuse.
  const decoded = content.toString('utf8');
  if (textProblem(decoded) === 'nul')
    throw new ArtifactError('contains the character U+0000 (NUL), which cannot be stored; remove it', file);
  return decoded;
}

/** Parses and checks an artifact; throws ArtifactError naming the file at fault. */
export async function readArtifact(bytes: Uint8Array): Promise<ProgramContents> {
  if (bytes.length > MAX_ARTIFACT_BYTES)
    throw new ArtifactError(`the archive is larger than ${MAX_ARTIFACT_BYTES} bytes`);
  const files = await unpack(bytes);
  const known = (f: string) =>
    ['atoll.package.json', 'inputs.schema.json', 'render.js'].includes(f) ||
    /^manifests\/[^/]+\.ya?ml$/.test(f);
  const unknown = [...files.keys()].filter((f) => !known(f));
  if (unknown.length > 0) {
    throw new ArtifactError(
      'is not part of a package (expected atoll.package.json, inputs.schema.json, render.js, manifests/*.yaml)',
      unknown[0],
    );
  }
  const manifest = json(files, 'atoll.package.json') as Record<string, unknown>;
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest))
    throw new ArtifactError('must be an object', 'atoll.package.json');
  const { name, version, description, ...rest } = manifest;
  if (Object.keys(rest).length > 0)
    throw new ArtifactError(`has an unknown field "${Object.keys(rest)[0]}"`, 'atoll.package.json');
  if (typeof name !== 'string' || name.length < 1 || name.length > 120)
    throw new ArtifactError('"name" must be 1–120 characters', 'atoll.package.json');
  if (typeof version !== 'string' || !SEMVER.test(version))
    throw new ArtifactError('"version" must be a semantic version such as 1.2.3', 'atoll.package.json');
  if (description !== undefined && (typeof description !== 'string' || description.length > 500)) {
    throw new ArtifactError('"description" must be a string of at most 500 characters', 'atoll.package.json');
  }
  const schema = json(files, 'inputs.schema.json');
  const problems = schemaProblems(schema);
  if (problems.length > 0)
    throw new ArtifactError(`is not a valid JSON Schema: ${problems[0]!.message}`, 'inputs.schema.json');
  const program = files.get('render.js');
  if (!program) throw new ArtifactError('is missing', 'render.js');
  const manifests = [...files.entries()]
    .filter(([path]) => path.startsWith('manifests/'))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, content]) => ({ path, content: text(path, content) }));
  // Each document is checked like the JSON files, once, when the artifact comes in.
  for (const m of manifests) for (const object of staticObjects(m)) storable(object, m.path);
  return {
    name,
    version,
    description: typeof description === 'string' ? description : null,
    input_schema: schema as Record<string, unknown>,
    program: text('render.js', program),
    manifests,
  };
}

/** The Kubernetes objects of one static manifest file (empty documents skipped). */
export function staticObjects(file: { path: string; content: string }): KubeObject[] {
  const docs = parseAllDocuments(file.content);
  const objects: unknown[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    if (doc.errors.length > 0)
      throw new ArtifactError(`is not valid YAML (${doc.errors[0]!.message})`, file.path);
    const value = doc.toJS();
    if (value !== null && value !== undefined) objects.push(value);
  }
  const checked = checkObjects(objects);
  if (!Array.isArray(checked)) throw new ArtifactError(checked.message, file.path);
  return checked;
}
