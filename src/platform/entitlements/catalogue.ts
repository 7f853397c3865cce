/**
 * What this server offers, as Akua entitlements: the features it serves (`bool`), the caps it enforces
 * (`max_count`, from the configuration) and the things it does not cap (`unlimited`). The same for
 * every workspace; it changes only when the configuration does. Keys are `<feature_set>.<name>`, like
 * the spec's `compute.max_clusters`. docs/regions-and-quotas.md lists them.
 */
import type { Config, ExecutorConfig } from '../../config.ts';
import { MAX_ARTIFACT_BYTES } from '../../installs/packages/artifact.ts';
import { CODE_MAX } from '../../snippets/schemas.ts';
import { MAX_NESTING } from '../../snippets/nesting.ts';
import type { EntitlementAllocation, EntitlementFeature } from './schemas.ts';

/** The configuration the catalogue reads. */
export type EntitlementSettings = {
  executor: ExecutorConfig;
  render: Config['render'];
  agents: Pick<
    Config['agents'],
    | 'capacity'
    | 'processes'
    | 'openFiles'
    | 'bundleMaxBytes'
    | 'bundleMaxEntries'
    | 'logBytes'
    | 'outputBytes'
  >;
};

export type OfferedFeature = EntitlementFeature & { allocation: EntitlementAllocation };

const on = (value: boolean): EntitlementAllocation => ({ type: 'bool', value });
const max = (value: number): EntitlementAllocation => ({ type: 'max_count', value });
const UNLIMITED: EntitlementAllocation = { type: 'unlimited', value: null };

/** Every feature, grouped by feature set, in a fixed order (pages follow it). */
export function entitlementCatalogue(s: EntitlementSettings): OfferedFeature[] {
  const sets: Record<string, Array<[string, string, EntitlementAllocation]>> = {
    compute: [['max_clusters', 'Kubernetes clusters (none: installs deploy through git)', max(0)]],
    snippets: [
      ['enabled', 'Snippets: JavaScript run in V8 isolates, with platform.request()', on(true)],
      ['max_snippets', 'Snippets per workspace', UNLIMITED],
      ['max_code_chars', 'Characters of snippet code', max(CODE_MAX)],
      [
        'max_concurrent_executions',
        'Executions running at once per workspace',
        max(s.executor.workspaceConcurrency),
      ],
      [
        'max_nested_executions',
        'Nested executions in flight per workspace',
        max(s.executor.nesting.perWorkspace),
      ],
      [
        'max_nested_executions_per_run',
        'Nested executions in flight under one run',
        max(s.executor.nesting.perTree),
      ],
      ['max_nesting_depth', 'Levels of snippets starting snippets', max(MAX_NESTING)],
      ['max_run_memory_mb', 'Heap of one run, in MB', max(s.executor.limits.memoryMb)],
      ['max_run_cpu_ms', 'CPU time of one run, in ms', max(s.executor.limits.cpuMs)],
      ['max_run_wall_ms', 'Wall-clock time of one run, in ms', max(s.executor.limits.wallMs)],
      ['max_result_bytes', 'JSON result of one run, in bytes', max(s.executor.limits.resultBytes)],
      [
        'max_requests_per_run',
        'platform.request() calls per run',
        max(s.executor.limits.requests.maxRequests),
      ],
      [
        'max_concurrent_requests_per_run',
        'platform.request() calls in flight per run',
        max(s.executor.limits.requests.maxConcurrent),
      ],
    ],
    agents: [
      ['enabled', 'Agents, sessions, turns and their event log', on(true)],
      ['max_agents', 'Agents per workspace', UNLIMITED],
    ],
    packages: [
      ['enabled', 'Packages: Helm charts and Atoll package artifacts', on(true)],
      ['helm_sources', 'Packages created from Helm chart sources', on(true)],
      ['max_packages', 'Packages per workspace', UNLIMITED],
      ['max_artifact_bytes', 'Size of one package artifact, in bytes', max(MAX_ARTIFACT_BYTES)],
    ],
    installs: [
      ['enabled', 'Installs rendered into git repositories for Argo CD or Flux', on(true)],
      ['max_installs', 'Installs per workspace', UNLIMITED],
      ['max_render_memory_mb', 'Heap of one render program, in MB', max(s.render.memoryMb)],
      ['max_render_ms', 'CPU and wall-clock time of one render program, in ms', max(s.render.wallMs)],
      ['max_render_output_bytes', 'Result of one render program, in bytes', max(s.render.resultBytes)],
    ],
    agent_deployments: [
      ['enabled', 'Agent deployments: bundles run as jobs or services in sandboxes', on(true)],
      ['max_deployments', 'Agent deployments per workspace', UNLIMITED],
      ['max_sandboxes', 'Sandboxes at once, all workspaces together', max(s.agents.capacity)],
      ['max_bundle_bytes', 'Size of one agent bundle, in bytes', max(s.agents.bundleMaxBytes)],
      ['max_bundle_entries', 'Entries in one agent bundle', max(s.agents.bundleMaxEntries)],
      ['max_sandbox_processes', 'Processes in one sandbox', max(s.agents.processes)],
      ['max_sandbox_open_files', 'Open files per sandboxed process', max(s.agents.openFiles)],
      ['max_run_log_bytes', 'Log kept per run or service, in bytes', max(s.agents.logBytes)],
      ['max_run_output_bytes', 'Outputs collected per run, in bytes', max(s.agents.outputBytes)],
    ],
    platform: [
      ['max_api_tokens', 'API tokens per workspace', UNLIMITED],
      ['max_regions', 'Regions per workspace', UNLIMITED],
      ['max_workspaces', 'Workspaces', UNLIMITED],
    ],
  };
  return Object.entries(sets).flatMap(([featureSet, features]) =>
    features.map(([name, label, allocation]) => ({
      feature_set: featureSet,
      key: `${featureSet}.${name}`,
      name: label,
      allocation,
    })),
  );
}
