/**
 * Helm chart references in OCI registries, as a package source names them: `repo_url`
 * (`oci://host[:port]/path`), an optional `chart` appended to it, and `target_revision`, a chart version
 * (Helm stores version `1.2.3+build` as tag `1.2.3_build`, since `+` is not allowed in a tag) or a
 * manifest digest `sha256:<64 hex>`. Parsing follows the grammar of the OCI distribution spec, so a
 * reference that passes is one a registry can be asked about; anything else is refused here, naming the
 * field to fix, before any request is made. Also: which registries are spoken to over plain HTTP.
 */
import net from 'node:net';
import { parseRegistry } from '../../lib/registry-address.ts';
import { OciError, type OciErrorField } from './oci-error.ts';

/** A parsed chart reference. */
export type ChartReference = {
  /** `host[:port]`, host in lower case (`[v6]:port` for an IPv6 address). */
  registry: string;
  /** The repository name inside the registry, e.g. `charts/nginx`. */
  repository: string;
  /** A tag (with Helm's `+` → `_` applied) or a digest `sha256:…`. */
  reference: string;
  /** `oci://registry/repository:tag` or `oci://registry/repository@sha256:…`, for messages. */
  display: string;
};

/** One path component of a repository name (OCI distribution spec, "name"). */
const NAME_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
/** A tag (OCI distribution spec). */
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
/** The longest repository name distribution registries accept (with the registry, Docker's limit). */
const MAX_NAME = 255;

function invalid(field: OciErrorField, message: string): OciError {
  return new OciError('invalid_reference', message, field);
}

/** Checks each `/`-separated component of a repository path; the message says what is wrong. */
function pathProblem(path: string): string | undefined {
  if (path === '') return 'it is empty';
  if (/[A-Z]/.test(path)) return 'repository names are lower case in OCI registries';
  if (/[:@]/.test(path))
    return 'it holds a tag or digest (":" or "@"); give the chart version or digest in target_revision';
  for (const component of path.split('/')) {
    if (component === '') return 'it has an empty path segment ("//" or a "/" at an end)';
    if (!NAME_COMPONENT.test(component))
      return `the path segment ${JSON.stringify(component)} is not a valid OCI repository name (lower-case letters and digits, separated by ".", "_", "__" or "-")`;
  }
  return undefined;
}

/**
 * Parses a Helm chart reference; throws OciError('invalid_reference') with the `field` at fault for
 * anything malformed: not `oci://`, user info, a query or fragment, a bad host or port, an empty or
 * invalid repository path, a chart with `/` at an end, a tag outside the OCI tag grammar after
 * `+` → `_`, a digest other than `sha256:` and 64 lower-case hex digits.
 */
export function parseChartReference(
  repoUrl: string,
  chart: string | undefined,
  targetRevision: string,
): ChartReference {
  const scheme = /^oci:\/\//i.exec(repoUrl);
  if (!scheme)
    throw invalid(
      'repo_url',
      `repo_url ${JSON.stringify(repoUrl)} must start with oci:// (a Helm chart in an OCI registry, e.g. oci://ghcr.io/org/charts)`,
    );
  const rest = repoUrl.slice(scheme[0].length).replace(/\/+$/, '');
  if (/[?#\s]/.test(rest))
    throw invalid('repo_url', 'repo_url must not hold a query, a fragment or white space');
  const slash = rest.indexOf('/');
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  if (authority.includes('@'))
    throw invalid(
      'repo_url',
      'repo_url must not hold credentials: create a registry connection (POST /v1/registry_connections) for the registry instead',
    );
  const registry = parseRegistry(authority);
  if (!registry)
    throw invalid(
      'repo_url',
      `repo_url ${JSON.stringify(repoUrl)} does not start with a valid registry host[:port] after oci://`,
    );
  const repoPath = slash < 0 ? '' : rest.slice(slash + 1);
  if (repoPath === '' && chart === undefined)
    throw invalid(
      'repo_url',
      'repo_url names a registry but no repository: add the path (oci://host/path) or give chart',
    );
  if (repoPath !== '') {
    const problem = pathProblem(repoPath);
    if (problem) throw invalid('repo_url', `the repository path of repo_url is not valid: ${problem}`);
  }
  if (chart !== undefined) {
    if (chart.startsWith('/') || chart.endsWith('/'))
      throw invalid('chart', 'chart must not start or end with "/" (it is appended to repo_url after a "/")');
    const problem = pathProblem(chart);
    if (problem) throw invalid('chart', `chart ${JSON.stringify(chart)} is not valid: ${problem}`);
  }
  const repository = [repoPath, chart].filter((p) => p !== undefined && p !== '').join('/');
  if (registry.length + 1 + repository.length > MAX_NAME)
    throw invalid(
      chart === undefined ? 'repo_url' : 'chart',
      `the chart's name ${registry}/${repository} is longer than ${MAX_NAME} characters`,
    );
  const reference = parseRevision(targetRevision);
  const base = `oci://${registry}/${repository}`;
  return {
    registry,
    repository,
    reference,
    display: reference.startsWith('sha256:') ? `${base}@${reference}` : `${base}:${reference}`,
  };
}

/** A target_revision as sent to the registry: a digest as is, a version with `+` → `_`. */
function parseRevision(revision: string): string {
  if (revision.includes(':')) {
    if (DIGEST.test(revision)) return revision;
    throw invalid(
      'target_revision',
      `target_revision ${JSON.stringify(revision)} is neither a chart version nor a digest: a digest is sha256: followed by 64 lower-case hex digits`,
    );
  }
  const tag = revision.replaceAll('+', '_');
  if (!TAG.test(tag))
    throw invalid(
      'target_revision',
      `target_revision ${JSON.stringify(revision)} is not a valid chart version or OCI tag (up to 128 letters, digits, ".", "_", "-" and "+", not starting with "." or "-")`,
    );
  return tag;
}

/** The host part of `host[:port]` (brackets removed from an IPv6 address). */
function hostOf(registry: string): string {
  if (registry.startsWith('[')) return registry.slice(1, registry.indexOf(']'));
  const colon = registry.lastIndexOf(':');
  return colon < 0 ? registry : registry.slice(0, colon);
}

/** Whether a host is this machine: localhost, 127.0.0.0/8 or ::1. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) return new URL(`http://[${host}]/`).hostname === '[::1]';
  return false;
}

/**
 * How to speak to a registry: plain HTTP to loopback addresses (127.0.0.0/8, ::1, localhost) and to
 * the `host:port` entries of ATOLL_OCI_PLAIN_HTTP, HTTPS to every other.
 */
export function registryScheme(registry: string, plainHttp: ReadonlySet<string>): 'http' | 'https' {
  const lower = registry.toLowerCase();
  if (isLoopbackHost(hostOf(lower)) || plainHttp.has(lower)) return 'http';
  return 'https';
}
