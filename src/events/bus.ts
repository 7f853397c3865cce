/**
 * Wake-ups for event subscribers. Within a process, a publish after commit wakes that workspace's
 * listeners at once; across processes, Postgres LISTEN/NOTIFY carries the same wake-up (the NOTIFY is
 * sent at commit by the append itself). A wake-up only says "read the log again": a lost one costs
 * latency, never an event, and listeners also re-read when the LISTEN connection is re-established.
 */
import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';

export type BusListener = (position: number | undefined) => void;

export type EventBus = {
  publish(workspaceId: string, position: number): void;
  subscribe(workspaceId: string, listener: BusListener): () => void;
  close(): Promise<void>;
};

export const EVENTS_CHANNEL = 'atoll_events';

export function createEventBus(database: Database, log: Logger): EventBus {
  const listeners = new Map<string, Set<BusListener>>();
  const dispatch = (workspaceId: string, position: number | undefined) => {
    for (const listener of listeners.get(workspaceId) ?? []) {
      try {
        listener(position);
      } catch (error) {
        log.error({ err: error }, 'event listener failed');
      }
    }
  };
  const stopListening = database.listen?.(
    EVENTS_CHANNEL,
    (payload) => {
      const at = payload.lastIndexOf(':');
      if (at > 0) dispatch(payload.slice(0, at), Number(payload.slice(at + 1)));
    },
    () => {
      // (Re)connected: anything may have been missed meanwhile.
      for (const workspaceId of listeners.keys()) dispatch(workspaceId, undefined);
    },
  );
  return {
    publish: dispatch,
    subscribe(workspaceId, listener) {
      let set = listeners.get(workspaceId);
      if (!set) listeners.set(workspaceId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(workspaceId);
      };
    },
    async close() {
      listeners.clear();
      await stopListening?.();
    },
  };
}
