/**
 * The layout of an install repository, as akua lays one out:
 *
 *   manifests/NNN-<kind>-<name>.yaml   the rendered objects (what Argo CD or Flux applies)
 *   inputs.yaml                        the install's values, as given (defaults are the schema's)
 *   package.yaml                       the package version they were rendered with
 *
 * A change request edits inputs.yaml (an inputs change) or the `version` in package.yaml (a package
 * change); manifests/ is generated. Parsing a change request's tree refuses anything else by name.
 */
import { parse } from 'yaml';
import type { TreeFile } from '../../git/store.ts';
import type { ChangeType } from '../tables.ts';
import { canonicalYaml, type RenderedFile } from './manifests.ts';

export const MANIFESTS_DIR = 'manifests/';
export const INPUTS_FILE = 'inputs.yaml';
export const PACKAGE_FILE = 'package.yaml';

export type PackageRef = {
  package: string;
  package_id: string;
  version: string;
  package_version_id: string;
  ref: string;
};

/** The files of a render's commit. */
export function installTree(
  files: RenderedFile[],
  values: Record<string, unknown>,
  pkg: PackageRef,
): TreeFile[] {
  return [
    ...files.map((f) => ({ path: `${MANIFESTS_DIR}${f.filename}`, content: f.yaml })),
    { path: INPUTS_FILE, content: canonicalYaml(values) },
    { path: PACKAGE_FILE, content: canonicalYaml(pkg) },
  ];
}

/** A problem with a change request's files, naming the file. */
export class TreeError extends Error {
  override name = 'TreeError';
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.file = file;
  }
}

/** The values in an inputs.yaml (an empty file means no values). */
export function parseInputs(content: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parse(content);
  } catch (error) {
    throw new TreeError(INPUTS_FILE, `is not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new TreeError(INPUTS_FILE, 'must be a mapping of input names to values');
  return value as Record<string, unknown>;
}

/** The version a package.yaml asks for; only `version` may differ from the base's. */
export function parsePackageVersion(content: string, base: PackageRef): string {
  let value: unknown;
  try {
    value = parse(content);
  } catch (error) {
    throw new TreeError(PACKAGE_FILE, `is not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new TreeError(PACKAGE_FILE, 'must be a mapping');
  const fields = value as Record<string, unknown>;
  if (typeof fields.version !== 'string')
    throw new TreeError(PACKAGE_FILE, '"version" must be the semver of a version of this package');
  for (const key of Object.keys(fields)) {
    if (key !== 'version' && key !== 'ref' && key !== 'package_version_id' && !(key in base)) {
      throw new TreeError(PACKAGE_FILE, `has an unknown field "${key}"; only "version" can be changed`);
    }
  }
  if (fields.package !== undefined && fields.package !== base.package) {
    throw new TreeError(
      PACKAGE_FILE,
      `"package" cannot be changed (an install keeps its package); change "version" only`,
    );
  }
  if (fields.package_id !== undefined && fields.package_id !== base.package_id) {
    throw new TreeError(PACKAGE_FILE, '"package_id" cannot be changed; change "version" only');
  }
  return fields.version;
}

/** What kind of change a set of changed paths is. */
export function classifyChange(paths: readonly string[]): ChangeType {
  if (paths.includes(PACKAGE_FILE)) return 'package_change';
  if (paths.includes(INPUTS_FILE)) return 'inputs_change';
  if (paths.length > 0 && paths.every((p) => p.startsWith(MANIFESTS_DIR))) return 'manifest_patch';
  return 'unknown';
}

/** The changed paths a change request may not contain (anything but inputs.yaml, package.yaml, manifests/). */
export function foreignPaths(paths: readonly string[]): string[] {
  return paths.filter((p) => p !== INPUTS_FILE && p !== PACKAGE_FILE && !p.startsWith(MANIFESTS_DIR));
}
