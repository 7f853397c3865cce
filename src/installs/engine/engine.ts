/**
 * Renders a package version against an install's values: validate the values (schema defaults
 * applied), run the render program in an isolate with no platform.request, a fixed clock and seeded
 * Math.random, check its objects, put the static manifests first, stamp annotations and produce the
 * files and render hash. Deterministic: the same artifact, values and annotations give the same bytes
 * in any process, at any time. Failures are values naming what went wrong.
 */
import { canonicalJson } from '../../lib/canonical-json.ts';
import { sha256Digest } from '../../lib/digest.ts';
import type { Executor } from '../../isolate/executor.ts';
import type { ExecutionLimits } from '../../isolate/types.ts';
import { staticObjects } from '../packages/artifact.ts';
import type { ProgramContents, RenderFailure } from '../tables.ts';
import { validateValues, type SchemaProblem } from './inputs.ts';
import { checkObjects, renderHash, stamp, toFiles, type RenderedFile } from './manifests.ts';

/** What a program sees as its second argument. */
export type RenderContext = {
  install: { id: string; workspace_id: string };
  package: { name: string; version: string };
};

export type RenderRequest = {
  contents: ProgramContents;
  values: Record<string, unknown>;
  context: RenderContext;
  extraAnnotations: Record<string, string>;
  limits: Partial<Omit<ExecutionLimits, 'requests'>>;
};

export type RenderResult =
  | { ok: true; files: RenderedFile[]; hash: string; values: Record<string, unknown> }
  | { ok: false; failure: RenderFailure };

/** Bumped whenever the same inputs could render different bytes (serialisation, stamping, naming). */
export const RENDER_ENGINE_VERSION = 1;

/**
 * Everything a render's manifests are a function of, hashed: the artifact, the values, the extra
 * annotations and the context. Renders are deterministic, so equal keys mean byte-identical manifests.
 */
export function renderKey(input: {
  ref: string;
  values: Record<string, unknown>;
  extraAnnotations: Record<string, string>;
  context: RenderContext;
}): string {
  const canonical = canonicalJson({ engine: RENDER_ENGINE_VERSION, ...input });
  return sha256Digest(canonical);
}

/** The clock and random seed every render runs with, so that time and chance cannot change output. */
export const RENDER_DETERMINISM = { nowMs: 0, seed: 0x5eed } as const;

/** The annotations Atoll stamps on every object of an install's render. */
export function provenance(context: RenderContext): Record<string, string> {
  return {
    'atoll.dev/install-id': context.install.id,
    'atoll.dev/package': context.package.name,
    'atoll.dev/package-version': context.package.version,
  };
}

/** The failure of a render whose values break the version's input schema, naming the first one. */
export function invalidInputs(problems: SchemaProblem[]): RenderFailure {
  const [first, ...more] = problems;
  return {
    code: 'invalid_inputs',
    message: [first!, ...more].map((p) => p.message).join('; '),
    path: ['inputs', ...first!.path],
  };
}

export async function renderPackage(executor: Executor, request: RenderRequest): Promise<RenderResult> {
  const validated = validateValues(request.contents.input_schema, request.values);
  if (!validated.ok) return { ok: false, failure: invalidInputs(validated.problems) };
  const outcome = await executor.run({
    code: request.contents.program,
    inputs: [validated.values, request.context],
    workspaceId: request.context.install.workspace_id,
    program: 'module',
    determinism: RENDER_DETERMINISM,
    limits: request.limits,
  });
  if (outcome.state !== 'succeeded') {
    return {
      ok: false,
      failure: {
        code: `program_${outcome.error?.code ?? 'failed'}`,
        message: `render.js: ${outcome.error?.message ?? outcome.state}`,
      },
    };
  }
  const programObjects = checkObjects(outcome.output);
  if (!Array.isArray(programObjects)) return { ok: false, failure: programObjects };
  const objects = [...request.contents.manifests.flatMap((m) => staticObjects(m)), ...programObjects];
  const files = toFiles(stamp(objects, request.extraAnnotations, provenance(request.context)));
  return { ok: true, files, hash: renderHash(files), values: validated.values };
}
