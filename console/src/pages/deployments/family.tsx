/**
 * What the deployments pages share: the family's states as badges (runs, services, versions), which
 * of them are still live, durations between ISO-8601 times, and the curl commands shown where a
 * newcomer needs the next step.
 */
import type { Schema } from '@atoll/client';

export type Deployment = Schema<'AgentDeployment'>;
export type Version = Schema<'AgentDeploymentVersion'>;
export type Run = Schema<'AgentRun'>;
export type Service = Schema<'AgentServiceInstance'>;

const TONES: Record<string, string> = {
  active: 'info',
  paused: 'wait',
  deleted: 'muted',
  created: 'wait',
  building: 'wait',
  ready: 'ok',
  superseded: 'muted',
  queued: 'wait',
  starting: 'wait',
  installing: 'wait',
  running: 'info',
  succeeded: 'ok',
  failed: 'bad',
  cancelled: 'muted',
  timed_out: 'bad',
  unhealthy: 'bad',
  stopping: 'wait',
  stopped: 'muted',
};

/** A deployments-family state as a colored badge. */
export function FamilyState({ state }: { state: string }) {
  return <span className={`badge ${TONES[state] ?? 'neutral'}`}>{state.replaceAll('_', ' ')}</span>;
}

const RUN_ENDED = new Set<Run['status']>(['succeeded', 'failed', 'cancelled', 'timed_out']);
export const runEnded = (run: Pick<Run, 'status'>) => RUN_ENDED.has(run.status);

const SERVICE_ENDED = new Set<Service['status']>(['stopped', 'failed']);
export const serviceEnded = (service: Pick<Service, 'status'>) => SERVICE_ENDED.has(service.status);

/** "1.4 s", "2 min 5 s" between two ISO times (the second default now); — when the first is missing. */
export function duration(from: string | null | undefined, to?: string | null): string {
  if (!from) return '—';
  const ms = (to ? Date.parse(to) : Date.now()) - Date.parse(from);
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const origin = () => globalThis.location?.origin ?? 'http://127.0.0.1:8787';

/** The curl line that starts a run of a job deployment (as `atoll agent deploy` prints it). */
export function startRunCommand(deploymentId: string): string {
  return [
    `curl -s -X POST ${origin()}/v1/agent-deployments/${deploymentId}/runs \\`,
    `  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`,
    `  -H "Idempotency-Key: $(date +%s%N)" -d '{"input":{}}'`,
  ].join('\n');
}

/** The curl line that starts an instance of a service deployment. */
export function startServiceCommand(deploymentId: string): string {
  return [
    `curl -s -X POST ${origin()}/v1/agent-deployments/${deploymentId}/services \\`,
    `  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`,
    `  -H "Idempotency-Key: $(date +%s%N)" -d '{}'`,
  ].join('\n');
}

/** The command that deploys an agent directory (a new deployment, or a new version of one). */
export const DEPLOY_COMMAND = 'npm exec atoll -- agent deploy examples/agents/hello-job';
