/**
 * Renders a Helm package version against an install's values: the values (over the version's source
 * values, over the chart's values.yaml) are validated against the version's input schema, helm renders
 * the chart in a sandbox (charts/helm-template.ts), and its output, split into objects in Helm's own
 * install order, goes through the same pipeline as a JS package's: checked, stamped with annotations,
 * one canonical YAML file per object, and the akua render hash. Failures are values.
 */
import { parseAllDocuments } from 'yaml';
import type { HelmTemplater } from '../charts/helm-template.ts';
import { coalesce, overlay } from '../charts/values.ts';
import type { RenderFailure } from '../tables.ts';
import { invalidInputs, provenance, type RenderContext, type RenderResult } from './engine.ts';
import { validateValues } from './inputs.ts';
import { checkObjects, renderHash, stamp, toFiles } from './manifests.ts';

export type ChartRenderRequest = {
  chart: Uint8Array;
  inputSchema: Record<string, unknown>;
  /** values.yaml with the source's values over it (package_versions.base_values). */
  baseValues: Record<string, unknown>;
  /** The source's values (package_versions.source.values). */
  sourceValues: Record<string, unknown>;
  /** The install's values. */
  values: Record<string, unknown>;
  context: RenderContext;
  extraAnnotations: Record<string, string>;
};

/** The release name and namespace of an install: its id as a DNS label (`inst_x` → `inst-x`). */
export function releaseOf(installId: string): { release: string; namespace: string } {
  const name = installId.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  return { release: name, namespace: name };
}

/** The problems of `values` against a Helm version's schema, once merged over its base values. */
export function checkChartValues(
  inputSchema: Record<string, unknown>,
  baseValues: Record<string, unknown>,
  values: Record<string, unknown>,
): ReturnType<typeof validateValues> {
  return validateValues(inputSchema, coalesce(baseValues, values));
}

/** Helm's output as objects (empty documents, as helm prints for disabled templates, skipped). */
export function splitManifests(output: string): unknown[] | RenderFailure {
  const objects: unknown[] = [];
  for (const doc of parseAllDocuments(output, { uniqueKeys: false })) {
    if (doc.errors.length > 0) {
      return {
        code: 'invalid_chart_output',
        message: `helm template printed a document that is not valid YAML: ${doc.errors[0]!.message}`,
      };
    }
    const value: unknown = doc.toJS({ maxAliasCount: 1000 });
    if (value !== null && value !== undefined) objects.push(value);
  }
  return objects;
}

export async function renderChart(
  helmTemplate: HelmTemplater,
  request: ChartRenderRequest,
): Promise<RenderResult> {
  const checked = checkChartValues(request.inputSchema, request.baseValues, request.values);
  if (!checked.ok) return { ok: false, failure: invalidInputs(checked.problems) };
  const rendered = await helmTemplate({
    chart: request.chart,
    values: overlay(request.sourceValues, request.values),
    ...releaseOf(request.context.install.id),
  });
  if (!rendered.ok) return rendered;
  const split = splitManifests(rendered.output);
  if (!Array.isArray(split)) return { ok: false, failure: split };
  const objects = checkObjects(split);
  if (!Array.isArray(objects)) {
    return {
      ok: false,
      failure: { ...objects, code: 'invalid_chart_output', message: `helm template: ${objects.message}` },
    };
  }
  const files = toFiles(stamp(objects, request.extraAnnotations, provenance(request.context)));
  return { ok: true, files, hash: renderHash(files), values: request.values };
}
