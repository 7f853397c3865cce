/**
 * The sandboxes of the services this process's worker runs, by service id: the proxy reaches a
 * service's port only through the worker holding its sandbox, so the API must be served by the same
 * process as the worker (role `all`, or the proxy reached on the worker host; docs/agent-services.md).
 */
import type { Sandbox } from '../../sandbox/driver.ts';

export type LocalService = { sandbox: Sandbox; port: number; generation: number };

export type ServiceRegistry = {
  get(serviceId: string): LocalService | undefined;
  set(serviceId: string, entry: LocalService): void;
  /** Forgets the entry, but only if it is still `entry` (a newer generation keeps its own). */
  delete(serviceId: string, entry: LocalService): void;
};

export function createServiceRegistry(): ServiceRegistry {
  const entries = new Map<string, LocalService>();
  return {
    get: (id) => entries.get(id),
    set: (id, entry) => void entries.set(id, entry),
    delete(id, entry) {
      if (entries.get(id) === entry) entries.delete(id);
    },
  };
}
