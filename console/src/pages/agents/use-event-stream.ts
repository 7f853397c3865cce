/**
 * A session's event log, live: `streamAgentEvents` (fetch-based SSE, the credential in a header) from the
 * start of the session, then following. The client resumes with Last-Event-ID after any disconnect,
 * server restart or overflow; on top of that this hook keeps the last cursor and the ids it has shown,
 * so an event is never shown twice, whatever a reconnect replays, and restarts from that cursor should
 * the stream itself ever give up on a transient fault.
 */
import { useEffect, useState } from 'react';
import { AtollApiError, streamAgentEvents, type AgentEvent, type AtollClient } from '@atoll/client';
import { api } from '../../api.ts';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'failed';

export type EventStream = {
  events: AgentEvent[];
  status: StreamStatus;
  /** Why the stream stopped for good (an error answer such as 401 or 404), or why it is reconnecting. */
  problem: unknown;
};

const RETRY_MS = 1000;

export function useEventStream(sessionId: string, workspaceKey: string): EventStream {
  const [events, setEvents] = useState<AgentEvent[]>([]);
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [problem, setProblem] = useState<unknown>(undefined);

  useEffect(() => {
    const controller = new AbortController();
    const seen = new Set<string>();
    let cursor: string | undefined;
    // Events are appended in batches (one render for a catch-up of many), in arrival order.
    let pending: AgentEvent[] = [];
    let flush: ReturnType<typeof setTimeout> | undefined;
    const append = (event: AgentEvent) => {
      pending.push(event);
      flush ??= setTimeout(() => {
        const batch = pending;
        pending = [];
        flush = undefined;
        if (!controller.signal.aborted) setEvents((now) => now.concat(batch));
      }, 16);
    };
    setEvents([]);
    setStatus('connecting');
    setProblem(undefined);
    // The same client, whose fetch tells when a connection is up: that is when the page is live.
    const client: AtollClient = {
      ...api,
      fetch: async (input, init) => {
        const response = await api.fetch(input, init);
        if (response.ok && !controller.signal.aborted) {
          setStatus('live');
          setProblem(undefined);
        }
        return response;
      },
    };
    const follow = async () => {
      while (!controller.signal.aborted) {
        try {
          const stream = streamAgentEvents(
            client,
            { session: sessionId, follow: true },
            {
              signal: controller.signal,
              retryMs: RETRY_MS,
              ...(cursor ? { lastEventId: cursor } : {}),
              onReconnect: (reason) => {
                setStatus('reconnecting');
                setProblem(reason);
              },
            },
          );
          for await (const event of stream) {
            // Cursors are totally ordered (as strings too): anything at or before the last one is a replay.
            if (seen.has(event.id) || (cursor !== undefined && event.cursor <= cursor)) continue;
            seen.add(event.id);
            cursor = event.cursor;
            append(event);
          }
          return; // follow=true streams end only when aborted
        } catch (error) {
          if (controller.signal.aborted) return;
          if (error instanceof AtollApiError) {
            setStatus('failed');
            setProblem(error);
            return;
          }
          setStatus('reconnecting');
          setProblem(error);
          await new Promise((r) => setTimeout(r, RETRY_MS));
        }
      }
    };
    void follow();
    return () => {
      controller.abort();
      clearTimeout(flush);
    };
  }, [sessionId, workspaceKey]);

  return { events, status, problem };
}
