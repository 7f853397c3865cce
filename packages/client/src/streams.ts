/**
 * Typed streams over `followSse`: the agent event log, and the logs of an agent run or service. Each
 * yields parsed items in order, resuming across disconnects without loss or repetition, and returns
 * when the stream ends for good (`follow: false` after what exists; a run's logs when the run ends).
 */
import type { AtollClient } from './client.ts';
import type { components, operations } from './openapi.ts';
import { followSse, type FollowOptions } from './sse.ts';

export type AgentEvent = components['schemas']['AgentEvent'];
export type AgentLogEntry = components['schemas']['AgentLogEntry'];
export type AgentEventFilter = Omit<
  NonNullable<operations['agentEvents.stream']['parameters']['query']>,
  'access_token' | 'akua_context' | 'after'
>;

function query(params: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The agent events matching `filter`, from `lastEventId` (a cursor) on. */
export async function* streamAgentEvents(
  client: AtollClient,
  filter: AgentEventFilter,
  options: FollowOptions = {},
): AsyncGenerator<AgentEvent> {
  for await (const frame of followSse(client, `/v1/agent_events:stream${query(filter)}`, options)) {
    if (frame.event === 'end') return;
    yield JSON.parse(frame.data) as AgentEvent;
  }
}

export type LogFollowOptions = FollowOptions & {
  /** Keep the stream open until the run or service ends (default true). */
  follow?: boolean;
};

async function* streamLogs(client: AtollClient, path: string, options: LogFollowOptions) {
  const follow = options.follow ?? true;
  for await (const frame of followSse(client, `${path}${query({ follow })}`, options)) {
    if (frame.event === 'end') return;
    if (frame.event === 'log') yield JSON.parse(frame.data) as AgentLogEntry;
  }
}

/** An agent run's log lines (stdout, stderr, system) in order; returns when the run has ended. */
export function streamRunLogs(
  client: AtollClient,
  deploymentId: string,
  runId: string,
  options: LogFollowOptions = {},
): AsyncGenerator<AgentLogEntry> {
  const path = `/v1/agent-deployments/${encodeURIComponent(deploymentId)}/runs/${encodeURIComponent(runId)}/logs`;
  return streamLogs(client, path, options);
}

/** A service's log lines in order; returns when the service has stopped. */
export function streamServiceLogs(
  client: AtollClient,
  deploymentId: string,
  serviceId: string,
  options: LogFollowOptions = {},
): AsyncGenerator<AgentLogEntry> {
  const path = `/v1/agent-deployments/${encodeURIComponent(deploymentId)}/services/${encodeURIComponent(serviceId)}/logs`;
  return streamLogs(client, path, options);
}
