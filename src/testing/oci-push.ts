/**
 * Test helper: pushes an arbitrary OCI artifact (a config blob, layers and an image manifest) to a
 * registry over the OCI distribution API, with fetch. Tests use it to put a Helm chart in a registry
 * without helm, and to put there what is not a Helm chart (another config media type, two layers, an
 * oversized layer) to see the pull client refuse it.
 */
import { createHash } from 'node:crypto';

export const HELM_CONFIG_MEDIA_TYPE = 'application/vnd.cncf.helm.config.v1+json';
export const HELM_CHART_MEDIA_TYPE = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';

export type PushArtifact = {
  configMediaType: string;
  config: Uint8Array;
  layers: Array<{ mediaType: string; bytes: Uint8Array }>;
  /** Basic auth for a registry that requires it. */
  auth?: { username: string; password: string };
  /** Extra manifest fields (e.g. annotations), merged over the generated ones. */
  manifestExtra?: Record<string, unknown>;
};

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function check(response: Response, what: string): Promise<void> {
  if (!response.ok) {
    throw new Error(`${what} failed: HTTP ${response.status} ${await response.text()}`);
  }
  await response.arrayBuffer();
}

/** Uploads one blob (monolithic: POST an upload session, then PUT the bytes with their digest). */
async function pushBlob(
  registryUrl: string,
  repository: string,
  bytes: Uint8Array,
  headers: Record<string, string>,
): Promise<string> {
  const digest = sha256Digest(bytes);
  const start = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers });
  if (start.status !== 202) await check(start, `starting a blob upload to ${repository}`);
  await start.arrayBuffer();
  const location = new URL(start.headers.get('location')!, registryUrl);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { ...headers, 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  await check(put, `uploading blob ${digest}`);
  return digest;
}

/** Pushes the blobs and a manifest tagged `tag` (or addressed by digest when `tag` is a digest). */
export async function pushArtifact(
  registryUrl: string,
  repository: string,
  tag: string,
  artifact: PushArtifact,
): Promise<{ manifestDigest: string; manifest: Uint8Array }> {
  const headers: Record<string, string> = artifact.auth
    ? {
        authorization: `Basic ${Buffer.from(`${artifact.auth.username}:${artifact.auth.password}`).toString('base64')}`,
      }
    : {};
  const descriptor = async (mediaType: string, bytes: Uint8Array) => ({
    mediaType,
    digest: await pushBlob(registryUrl, repository, bytes, headers),
    size: bytes.length,
  });
  const config = await descriptor(artifact.configMediaType, artifact.config);
  const layers = [];
  for (const layer of artifact.layers) layers.push(await descriptor(layer.mediaType, layer.bytes));
  const manifest = new TextEncoder().encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      config,
      layers,
      ...artifact.manifestExtra,
    }),
  );
  const put = await fetch(`${registryUrl}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { ...headers, 'content-type': OCI_MANIFEST_MEDIA_TYPE },
    body: manifest,
  });
  await check(put, `pushing the manifest ${repository}:${tag}`);
  return { manifestDigest: sha256Digest(manifest), manifest };
}

/** Pushes a Helm chart archive the way `helm push` lays it out (config JSON + one chart layer). */
export async function pushChart(
  registryUrl: string,
  repository: string,
  tag: string,
  chart: { name: string; version: string; bytes: Uint8Array },
  auth?: { username: string; password: string },
): Promise<{ manifestDigest: string; chartDigest: string }> {
  const config = new TextEncoder().encode(
    JSON.stringify({ name: chart.name, version: chart.version, apiVersion: 'v2' }),
  );
  const { manifestDigest } = await pushArtifact(registryUrl, repository, tag, {
    configMediaType: HELM_CONFIG_MEDIA_TYPE,
    config,
    layers: [{ mediaType: HELM_CHART_MEDIA_TYPE, bytes: chart.bytes }],
    ...(auth ? { auth } : {}),
  });
  return { manifestDigest, chartDigest: sha256Digest(chart.bytes) };
}
