/**
 * Registry addresses as OCI references and ATOLL_OCI_PLAIN_HTTP write them: `host[:port]`, a host name,
 * an IPv4 or a bracketed IPv6 address. Shared by the chart reference parser (installs/charts) and
 * config.ts, which checks ATOLL_OCI_PLAIN_HTTP at boot.
 */
import net from 'node:net';

const HOST_LABEL = /^(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$/;

/** `host[:port]` lower-cased, or undefined when it is not a host name, IPv4 or bracketed IPv6 address. */
export function parseRegistry(authority: string): string | undefined {
  const lower = authority.toLowerCase();
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(lower);
  if (!match) return undefined;
  const [, host, port] = match as unknown as [string, string, string | undefined];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return undefined;
  if (host.startsWith('[')) {
    if (!net.isIPv6(host.slice(1, -1))) return undefined;
  } else if (host === '' || host.length > 253 || !host.split('.').every((l) => HOST_LABEL.test(l))) {
    return undefined;
  }
  return lower;
}

/**
 * The registries spoken to over plain HTTP besides loopback ones, from ATOLL_OCI_PLAIN_HTTP: a
 * comma-separated list of `host[:port]` (lower-cased; an `oci://` or `http://` prefix is dropped). Throws an Error naming the entry for one that is not a registry address.
 */
export function plainHttpHosts(list: string | undefined): Set<string> {
  const hosts = new Set<string>();
  for (const raw of (list ?? '').split(',')) {
    const entry = raw
      .trim()
      .replace(/^(oci|https?):\/\//i, '')
      .replace(/\/+$/, '');
    if (entry === '') continue;
    const registry = parseRegistry(entry);
    if (!registry)
      throw new Error(
        `ATOLL_OCI_PLAIN_HTTP: ${JSON.stringify(raw.trim())} is not a registry address; list host:port entries separated by commas`,
      );
    hosts.add(registry);
  }
  return hosts;
}
