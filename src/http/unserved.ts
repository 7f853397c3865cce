/**
 * Published Akua operations Atoll does not serve answer 501 in the Akua envelope, saying why and
 * whether it is planned, instead of "no route": a client generated from the published document then
 * shows its user what to do. Matched on the routed path (src/http/routing.ts), only when no route
 * served the request. docs/compatibility.md lists them.
 */
import { ApiError } from './errors.ts';

type Unserved = { area: string; why: string; planned: boolean };

const ID = '[^/:]+';
const rule = (pattern: string, area: string, why: string, planned = false) => ({
  match: new RegExp(`^/v1/${pattern.replaceAll('{id}', ID)}(?:[/:].*)?$`),
  unserved: { area, why, planned } satisfies Unserved,
});

const NO_CLUSTER =
  'Atoll renders installs into git repositories and deploys nothing itself: it has no cluster connection';

const NO_MACHINES = 'Atoll manages no machines; agents run in sandboxes on the Atoll server';
const NO_ORGANIZATIONS = 'Atoll has workspaces and their members, no organizations';
const NO_MARKETPLACE = 'Atoll has no marketplace';
const NOT_MANAGED = 'Atoll workspaces are not managed by an organization';

const RULES = [
  rule('clusters', 'clusters', NO_CLUSTER),
  rule('machines', 'machines', NO_MACHINES),
  rule('compute_configs', 'machines', NO_MACHINES),
  rule('organizations', 'organizations', NO_ORGANIZATIONS),
  rule('organization_invitations', 'organizations', NO_ORGANIZATIONS),
  rule('products', 'marketplace', NO_MARKETPLACE),
  rule('offers', 'marketplace', NO_MARKETPLACE),
  rule('order_drafts', 'marketplace', NO_MARKETPLACE),
  rule(
    'packages:import',
    'marketplace',
    'Atoll publishes packages from archives you upload; it imports nothing from a marketplace',
  ),
  rule('packages/artifacthub', 'marketplace', 'Atoll does not reach Artifact Hub'),
  rule(
    'workspaces/{id}/subscription',
    'billing',
    'Atoll has no billing: every workspace has everything this server offers (GET /v1/entitlements)',
  ),
  rule(
    'workspaces/{id}/access_state',
    'billing',
    'Atoll has no billing: access follows credentials and membership',
  ),
  rule('workspaces/{id}/management', 'billing', NOT_MANAGED),
  rule('workspaces/{id}:revokeManagement', 'billing', NOT_MANAGED),
  rule('workspaces/{id}/subdomain', 'domains', 'Atoll serves no workspace subdomains'),
  rule('workspaces/{id}/custom_domains', 'domains', 'Atoll serves no custom domains'),
  rule(
    'installs/{id}/preview_hostnames',
    'domains',
    `Atoll has no preview hostnames for installs (${NO_CLUSTER})`,
  ),
  rule('cloudflare_connections', 'domains', 'Atoll serves no domains, so it keeps no Cloudflare connections'),
  rule(
    'access_decisions',
    'access decisions',
    'Atoll does not explain its access decisions through the API; docs/workspaces.md describes them',
  ),
  rule(
    'agent_provider_exchanges',
    'agent provider exchanges',
    'Atoll does not proxy model providers, so it records no provider exchanges',
  ),
  rule('secrets', 'secrets', 'secrets are not served yet', true),
];

/** Why a published path is not served, or undefined when it is not a published path Atoll leaves out. */
export function unservedArea(path: string): Unserved | undefined {
  return RULES.find((r) => r.match.test(path))?.unserved;
}

/** The 501 for a path Atoll leaves out. */
export function unservedError(method: string, path: string, unserved: Unserved): ApiError {
  return new ApiError('UNIMPLEMENTED', {
    message: `${method} ${path} is not served by Atoll: ${unserved.why}. See docs/compatibility.md.`,
    metadata: { reason: unserved.planned ? 'not_yet_served' : 'out_of_scope', area: unserved.area },
  });
}
