/**
 * The OCI pull client for Helm charts: given a parsed reference (reference.ts), fetch the manifest,
 * check that it is a Helm chart as `helm push` lays it out (an OCI image manifest whose config has the
 * Helm config media type and with exactly one chart-content layer; a provenance layer is ignored), then
 * download that layer and verify its digest. Sizes are checked before downloading and while reading;
 * a digest reference is verified against the manifest bytes. Authentication is registry-auth.ts, HTTP
 * and redirects registry-http.ts. Every failure is an OciError with a user-facing message.
 */
import { createHash } from 'node:crypto';
import { OciError } from './oci-error.ts';
import { registryScheme, type ChartReference } from './reference.ts';
import { answerChallenge, type AuthState, type OciCredentials } from './registry-auth.ts';
import { deadline, discard, get, readCapped, registryMessage, type Deadline } from './registry-http.ts';

export { OciError, type OciErrorCode, type OciErrorField } from './oci-error.ts';
export { parseChartReference, registryScheme, type ChartReference } from './reference.ts';
export type { OciCredentials } from './registry-auth.ts';

export const HELM_CONFIG_MEDIA_TYPE = 'application/vnd.cncf.helm.config.v1+json';
export const HELM_CHART_MEDIA_TYPE = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
export const HELM_PROVENANCE_MEDIA_TYPE = 'application/vnd.cncf.helm.chart.provenance.v1.prov';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
/** Manifests are small JSON documents; a chart's is well under a kilobyte. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** A chart as pulled: the digest of its manifest, the digest of its chart layer, and that layer's bytes. */
export type PulledChart = { manifestDigest: string; chartDigest: string; bytes: Uint8Array };

export type PullOptions = {
  /** The registry connection's credentials, if the workspace has one for this registry. */
  credentials?: OciCredentials;
  /** Registries spoken to over plain HTTP besides loopback ones (config.ts, from ATOLL_OCI_PLAIN_HTTP). */
  plainHttp: ReadonlySet<string>;
  /** The largest chart archive accepted (its layer's declared size and the bytes read). */
  maxChartBytes: number;
  /** One deadline for the whole pull: token, manifest and chart. */
  timeoutMs: number;
  signal?: AbortSignal;
};

type Pull = { ref: ChartReference; base: URL; auth: AuthState; time: Deadline };

function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * GET a path of the registry's API, answering auth challenges on the way (registry-auth.ts). Returns
 * the 2xx response unread; 401 after the last step, 403 and other errors (but 404, left to the caller)
 * throw OciError.
 */
async function request(
  pull: Pull,
  path: string,
  accept: string,
  what: string,
): Promise<{ response: Response; url: URL }> {
  const url = new URL(path, pull.base);
  for (;;) {
    const { response, url: final } = await get(
      url,
      { accept },
      { origin: pull.base.origin, authorization: pull.auth.authorization },
      pull.time,
    );
    if (response.status === 401 && final.origin === pull.base.origin) {
      await discard(response);
      await answerChallenge(pull.auth, response.headers.get('www-authenticate'), pull.time);
      continue;
    }
    if (response.ok) return { response, url: final };
    if (response.status === 404) {
      const { code } = await registryMessage(response, final, pull.time);
      return notFound(pull, what, code);
    }
    if (response.status === 403 || response.status === 401) {
      await discard(response);
      throw new OciError(
        response.status === 403 ? 'forbidden' : 'unauthorized',
        `${final.host} refused access to ${what} of ${pull.ref.display} (HTTP ${response.status})${pull.auth.credentials ? ': the registry connection may not pull it' : ': create a registry connection for ' + pull.ref.registry + ' (POST /v1/registry_connections) with credentials that may pull it'}`,
      );
    }
    const { message } = await registryMessage(response, final, pull.time);
    const why = response.status === 429 ? 'it is rate-limiting requests; try again later' : 'try again later';
    throw new OciError(
      'registry_error',
      `${final.host} answered HTTP ${response.status} to the request for ${what} of ${pull.ref.display}${message ? ` (${message})` : ''}; ${why}`,
    );
  }
}

function notFound(pull: Pull, what: string, code: string | undefined): never {
  const { ref } = pull;
  if (what !== 'the manifest')
    throw new OciError(
      'not_found',
      `registry ${ref.registry} lists ${what} in the manifest of ${ref.display} but does not have it; the chart in the registry is incomplete, push it again`,
    );
  if (code === 'NAME_UNKNOWN')
    throw new OciError(
      'not_found',
      `registry ${ref.registry} has no repository ${ref.repository}; check repo_url and chart`,
      'repo_url',
    );
  const tag = ref.reference.startsWith('sha256:')
    ? `no manifest with digest ${ref.reference}`
    : `no tag ${ref.reference}${ref.reference.includes('_') ? ' (Helm stores version a+b as tag a_b)' : ''}`;
  throw new OciError(
    'not_found',
    `repository ${ref.repository} in registry ${ref.registry} has ${tag} (or the repository does not exist); check target_revision and the chart's name`,
    'target_revision',
  );
}

/** The chart layer of a manifest, after checking that the manifest is a Helm chart. */
function chartLayer(
  ref: ChartReference,
  bytes: Uint8Array,
  contentType: string,
): { digest: string; size: number } {
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    throw new OciError('registry_error', `the manifest of ${ref.display} is not valid JSON`);
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest))
    throw new OciError('registry_error', `the manifest of ${ref.display} is not a JSON object`);
  const mediaType = typeof manifest.mediaType === 'string' ? manifest.mediaType : contentType;
  const push = 'Helm charts are pushed with `helm push`, which stores one OCI image manifest';
  if (mediaType === OCI_INDEX || mediaType === DOCKER_LIST || Array.isArray(manifest.manifests))
    throw new OciError(
      'not_a_chart',
      `${ref.display} is an image index (a list of manifests, e.g. a multi-platform image), not a Helm chart; ${push}`,
    );
  if (mediaType === DOCKER_MANIFEST || manifest.schemaVersion === 1)
    throw new OciError(
      'not_a_chart',
      `${ref.display} is a Docker container image, not a Helm chart; ${push}`,
    );
  if (mediaType !== OCI_MANIFEST && !(contentType === OCI_MANIFEST && manifest.mediaType === undefined))
    throw new OciError(
      'not_a_chart',
      `${ref.display} has a manifest of type ${mediaType || 'unknown'}, not a Helm chart; ${push}`,
    );
  const config = manifest.config as { mediaType?: unknown } | undefined;
  if (config?.mediaType !== HELM_CONFIG_MEDIA_TYPE) {
    const kind = typeof config?.mediaType === 'string' ? config.mediaType : 'none';
    throw new OciError(
      'not_a_chart',
      `${ref.display} is not a Helm chart: its config media type is ${kind}, where a chart's is ${HELM_CONFIG_MEDIA_TYPE}`,
    );
  }
  const layers = Array.isArray(manifest.layers) ? (manifest.layers as Array<Record<string, unknown>>) : [];
  const charts = layers.filter(
    (l) => l !== null && typeof l === 'object' && l.mediaType === HELM_CHART_MEDIA_TYPE,
  );
  if (charts.length !== 1)
    throw new OciError(
      'not_a_chart',
      `${ref.display} has ${charts.length} chart layers (${HELM_CHART_MEDIA_TYPE}) where a Helm chart has exactly one`,
    );
  const { digest, size } = charts[0]!;
  if (typeof digest !== 'string' || !DIGEST.test(digest))
    throw new OciError(
      'registry_error',
      `the chart layer of ${ref.display} has a digest Atoll cannot verify (only sha256 is supported)`,
    );
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw new OciError('registry_error', `the chart layer of ${ref.display} has no valid size`);
  return { digest, size };
}

/**
 * Pulls a Helm chart from an OCI registry. Throws OciError for every expected failure (see its codes),
 * and the caller's abort reason when `signal` aborts.
 */
export async function pullChart(ref: ChartReference, opts: PullOptions): Promise<PulledChart> {
  const base = new URL(`${registryScheme(ref.registry, opts.plainHttp)}://${ref.registry}/`);
  const pull: Pull = {
    ref,
    base,
    time: deadline(opts.timeoutMs, opts.signal),
    auth: {
      registry: ref.registry,
      repository: ref.repository,
      display: ref.display,
      credentials: opts.credentials,
      plainHttp: opts.plainHttp,
      authorization: undefined,
      tried: new Set(),
    },
  };
  const accept = `${OCI_MANIFEST}, ${OCI_INDEX};q=0.5, ${DOCKER_MANIFEST};q=0.4, ${DOCKER_LIST};q=0.4`;
  const manifest = await request(
    pull,
    `/v2/${ref.repository}/manifests/${ref.reference}`,
    accept,
    'the manifest',
  );
  const manifestBytes = await readCapped(
    manifest.response,
    MAX_MANIFEST_BYTES,
    () => {
      throw new OciError(
        'too_large',
        `the manifest of ${ref.display} is larger than ${MAX_MANIFEST_BYTES} bytes; it is not a Helm chart`,
      );
    },
    manifest.url,
    pull.time,
  );
  const manifestDigest = sha256(manifestBytes);
  if (ref.reference.startsWith('sha256:') && manifestDigest !== ref.reference)
    throw new OciError(
      'digest_mismatch',
      `registry ${ref.registry} answered ${ref.display} with a manifest whose digest is ${manifestDigest}; it cannot be trusted`,
    );
  const contentType = (manifest.response.headers.get('content-type') ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  const layer = chartLayer(ref, manifestBytes, contentType);
  const tooLarge = (): never => {
    throw new OciError(
      'too_large',
      `the chart ${ref.display} is ${layer.size} bytes, more than the ${opts.maxChartBytes} bytes a chart may have on this server (ATOLL_CHART_MAX_BYTES)`,
    );
  };
  if (layer.size > opts.maxChartBytes) tooLarge();
  const blob = await request(
    pull,
    `/v2/${ref.repository}/blobs/${layer.digest}`,
    '*/*',
    `the chart layer ${layer.digest}`,
  );
  // layer.size is at most maxChartBytes here, so reading stops at the smaller of the two.
  const bytes = await readCapped(
    blob.response,
    layer.size,
    () => {
      throw new OciError(
        'digest_mismatch',
        `registry ${ref.registry} sent more bytes for the chart layer of ${ref.display} than the ${layer.size} its manifest declares; it cannot be trusted`,
      );
    },
    blob.url,
    pull.time,
  );
  const chartDigest = sha256(bytes);
  if (bytes.length !== layer.size || chartDigest !== layer.digest)
    throw new OciError(
      'digest_mismatch',
      `registry ${ref.registry} sent a chart layer for ${ref.display} whose digest is ${chartDigest} where the manifest says ${layer.digest}; it cannot be trusted`,
    );
  return { manifestDigest, chartDigest, bytes };
}
