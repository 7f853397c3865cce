/**
 * From rendered Kubernetes objects to the files of a render, exactly as the akua reference renders
 * them: every object is checked, stamped with annotations, serialised as canonical YAML (keys sorted at
 * every depth, no line folding) into `NNN-<kind lowercased>-<name>.yaml` (characters outside
 * [A-Za-z0-9_.-] in the name become `-`), and the render hash is `sha256:` + the hex SHA-256 over each
 * `filename + "\n" + yaml`, in order. Same objects, same bytes, same hash.
 */
import { stringify } from 'yaml';
import { sha256DigestOfParts } from '../../lib/digest.ts';
import type { RenderFailure } from '../tables.ts';

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
};

export type RenderedFile = { filename: string; yaml: string };

/** The annotation keys Atoll writes on every object (callers may not set them). */
export const PROVENANCE_PREFIX = 'atoll.dev/';

/** Checks that a program's result is a list of Kubernetes objects; the failure names the first bad one. */
export function checkObjects(result: unknown): KubeObject[] | RenderFailure {
  if (!Array.isArray(result)) {
    return {
      code: 'invalid_program_output',
      message: 'render(input, ctx) must return an array of Kubernetes objects',
    };
  }
  for (const [i, item] of result.entries()) {
    const o = item as Partial<KubeObject> | null;
    const problem =
      o === null || typeof o !== 'object' || Array.isArray(o)
        ? 'is not an object'
        : typeof o.apiVersion !== 'string' || o.apiVersion === ''
          ? 'has no apiVersion'
          : typeof o.kind !== 'string' || o.kind === ''
            ? 'has no kind'
            : o.metadata === null ||
                typeof o.metadata !== 'object' ||
                typeof o.metadata.name !== 'string' ||
                o.metadata.name === ''
              ? 'has no metadata.name'
              : o.metadata.annotations !== undefined &&
                  (typeof o.metadata.annotations !== 'object' ||
                    o.metadata.annotations === null ||
                    Object.values(o.metadata.annotations).some((v) => typeof v !== 'string'))
                ? 'has metadata.annotations that are not all strings'
                : undefined;
    if (problem) {
      return {
        code: 'invalid_program_output',
        message: `object #${i} ${problem}`,
        path: ['output', String(i)],
      };
    }
  }
  return result as KubeObject[];
}

/** Adds the caller's extra annotations, then Atoll's provenance, to every object (a copy). */
export function stamp(
  objects: KubeObject[],
  extra: Record<string, string>,
  provenance: Record<string, string>,
): KubeObject[] {
  return objects.map((o) => ({
    ...o,
    metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, ...extra, ...provenance } },
  }));
}

/** Canonical YAML: keys sorted at every depth, no folded lines, so bytes depend only on content. */
export function canonicalYaml(value: unknown): string {
  return stringify(value, {
    sortMapEntries: true,
    lineWidth: 0,
    minContentWidth: 0,
    aliasDuplicateObjects: false,
  });
}

export function filenameOf(index: number, object: KubeObject): string {
  const kind = object.kind.toLowerCase();
  const name = object.metadata.name.replace(/[^A-Za-z0-9_.-]/g, '-');
  return `${String(index).padStart(3, '0')}-${kind}-${name}.yaml`;
}

export function toFiles(objects: KubeObject[]): RenderedFile[] {
  return objects.map((o, i) => ({ filename: filenameOf(i, o), yaml: canonicalYaml(o) }));
}

export function renderHash(files: RenderedFile[]): string {
  return sha256DigestOfParts(files.flatMap((f) => [f.filename, '\n', f.yaml]));
}
