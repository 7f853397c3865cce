/**
 * @atoll/client: the typed client of the Atoll API (docs/client.md). Types are generated from the
 * server's own /v1/openapi.json (`npm run client:generate`); this file and its neighbours are the only
 * hand-written parts: credentials, error envelopes, SSE streams with resume, the operation waiter.
 */
export { createAtollClient, type AtollClient, type AtollClientOptions } from './client.ts';
export {
  AtollApiError,
  errorMessage,
  isAkuaError,
  isNullspaceError,
  unwrap,
  type AkuaErrorEnvelope,
  type ErrorEnvelope,
  type NullspaceErrorEnvelope,
} from './errors.ts';
export { followSse, readSse, type FollowOptions, type SseFrame } from './sse.ts';
export {
  streamAgentEvents,
  streamRunLogs,
  streamServiceLogs,
  type AgentEvent,
  type AgentEventFilter,
  type AgentLogEntry,
  type LogFollowOptions,
} from './streams.ts';
export { waitForOperation, type Operation, type WaitOptions } from './operations.ts';
export type { components, operations, paths } from './openapi.ts';

/** A schema of the API by name: `Schema<'Snippet'>`. */
export type Schema<Name extends keyof import('./openapi.ts').components['schemas']> =
  import('./openapi.ts').components['schemas'][Name];
