/**
 * A Helm source of a package version, made concrete: the chart is pulled from its OCI registry with
 * the workspace's credentials for it (registry connections), stored once per workspace by its digest
 * (a package artifact whose bytes are the chart archive), and read: its version becomes the package
 * version's semver, its values.yaml with the source's values over it the version's base values, and
 * its values.schema.json (or, without one, a schema inferred from those values) the version's input
 * schema, with the base values as defaults. Every problem is a 422 naming the field of the source at
 * fault; nothing is written before the chart is known good (the artifact row is content-addressed, so
 * a later failure leaves at most an unreferenced chart, which a retry reuses).
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.ts';
import { ApiError, invalid } from '../../http/errors.ts';
import { schemaProblems, validateValues } from '../engine/inputs.ts';
import { findArtifact, putArtifact, type ArtifactRow } from '../packages/store.ts';
import type { RegistryConnectionService } from '../registries/service.ts';
import type { HelmChartContents, HelmVersionSource } from '../tables.ts';
import { ChartError, readChart } from './chart.ts';
import { inferSchema, withDefaults } from './infer-schema.ts';
import { OciError, parseChartReference, pullChart } from './oci.ts';
import { coalesce } from './values.ts';

/** The body of a Helm source (CreatePackageHelmSource). */
export type HelmSourceBody = {
  kind: 'helm';
  repo_url: string;
  chart?: string | undefined;
  target_revision: string;
  path?: string | undefined;
  values?: Record<string, unknown> | undefined;
};

export type ChartSourceDeps = {
  db: Kysely<DB>;
  registries: Pick<RegistryConnectionService, 'credentialsFor'>;
  /** Registries (host:port) spoken to over plain HTTP besides loopback (ATOLL_OCI_PLAIN_HTTP). */
  plainHttp: ReadonlySet<string>;
  chartMaxBytes: number;
  /** How long one pull may take, in ms. */
  timeoutMs: number;
};

/** What a version is registered with, from a pulled chart. */
export type ChartVersion = {
  artifact: ArtifactRow;
  semver: string;
  description: string | null;
  inputSchema: Record<string, unknown>;
  baseValues: Record<string, unknown>;
  source: HelmVersionSource;
};

/** The machine code of each pull failure, as the error's `code`. */
const PULL_CODES: Record<OciError['code'], string> = {
  invalid_reference: 'invalid_chart_reference',
  unreachable: 'registry_unreachable',
  unauthorized: 'registry_unauthorized',
  forbidden: 'registry_forbidden',
  not_found: 'chart_not_found',
  not_a_chart: 'not_a_helm_chart',
  too_large: 'chart_too_large',
  digest_mismatch: 'chart_digest_mismatch',
  registry_error: 'registry_error',
};

function pullFailure(error: OciError, field: string[]): ApiError {
  const at = error.field ?? (error.code === 'not_found' ? 'target_revision' : 'repo_url');
  return invalid([...field, at], error.message, { code: PULL_CODES[error.code] });
}

/** The chart's input schema: its own values.schema.json with defaults, else one inferred from the values. */
function inputSchemaOf(contents: HelmChartContents, baseValues: Record<string, unknown>, field: string[]) {
  if (contents.values_schema === null) return inferSchema(baseValues);
  const problems = schemaProblems(contents.values_schema);
  if (problems.length > 0) {
    throw invalid(
      [...field, 'target_revision'],
      `the chart's values.schema.json is not a JSON Schema Atoll can use: ${problems[0]!.message}`,
      { code: 'invalid_values_schema' },
    );
  }
  return withDefaults(contents.values_schema, baseValues);
}

/** Pulls, stores and reads the chart a Helm source names (422s naming `field` + the source's field). */
export async function resolveChartSource(
  deps: ChartSourceDeps,
  workspaceId: string,
  body: HelmSourceBody,
  field: string[],
): Promise<ChartVersion> {
  if (body.path !== undefined) {
    throw invalid(
      [...field, 'path'],
      'path selects a chart inside a git repository; an OCI chart is the whole artifact, so leave path out and name the chart with repo_url and chart',
    );
  }
  let artifact: ArtifactRow;
  let manifestDigest: string;
  try {
    const ref = parseChartReference(body.repo_url, body.chart, body.target_revision);
    const credentials = await deps.registries.credentialsFor(workspaceId, ref.registry, ref.repository);
    const pulled = await pullChart(ref, {
      ...(credentials ? { credentials } : {}),
      plainHttp: deps.plainHttp,
      maxChartBytes: deps.chartMaxBytes,
      timeoutMs: deps.timeoutMs,
    });
    manifestDigest = pulled.manifestDigest;
    const known = await findArtifact(deps.db, workspaceId, pulled.chartDigest);
    if (known) {
      artifact = known;
    } else {
      const chart = await readChart(pulled.bytes, { maxBytes: deps.chartMaxBytes });
      const contents: HelmChartContents = { kind: 'helm', ...chart };
      artifact = (await putArtifact(deps.db, workspaceId, pulled.chartDigest, pulled.bytes, contents)).row;
    }
  } catch (error) {
    if (error instanceof OciError) throw pullFailure(error, field);
    if (error instanceof ChartError) {
      throw invalid([...field, 'target_revision'], `the chart is not usable: ${error.message}`, {
        code: 'invalid_chart',
      });
    }
    throw error;
  }
  const contents = artifact.contents;
  if (contents.kind !== 'helm') {
    throw invalid(
      [...field, 'target_revision'],
      `${artifact.digest} is an Atoll package artifact, not a chart`,
    );
  }
  const sourceValues = body.values ?? {};
  const baseValues = coalesce(contents.values, sourceValues);
  const inputSchema = inputSchemaOf(contents, baseValues, field);
  const checked = validateValues(inputSchema, baseValues);
  if (!checked.ok) {
    const [first, ...more] = checked.problems;
    throw invalid([...field, 'values', ...first!.path], first!.message, {
      code: 'invalid_values',
      more: more.map((p) => ({ message: p.message, path: [...field, 'values', ...p.path] })),
    });
  }
  return {
    artifact,
    semver: contents.version,
    description: contents.description,
    inputSchema,
    baseValues,
    source: {
      kind: 'helm',
      repo_url: body.repo_url,
      chart: body.chart ?? null,
      target_revision: body.target_revision,
      manifest_digest: manifestDigest,
      values: sourceValues,
    },
  };
}
