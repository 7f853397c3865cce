/**
 * Executions waiting for an executor slot: one FIFO per tenant (workspace), served in turn. A tenant
 * with a thousand queued executions waits behind its own, never in front of another tenant's next one.
 */

export type FairQueue<T> = {
  push(tenant: string, item: T): void;
  /**
   * The oldest item of the first tenant, in turn order, that `eligible` admits; that tenant then goes to
   * the back of the turn order. Undefined when no admitted tenant has anything waiting.
   */
  take(eligible: (tenant: string) => boolean): T | undefined;
  /** Removes and returns everything waiting. */
  drain(): T[];
  /** Items waiting, all tenants together. */
  size(): number;
};

export function createFairQueue<T>(): FairQueue<T> {
  // A Map iterates in insertion order: deleting and re-inserting a tenant sends it to the back.
  const waiting = new Map<string, T[]>();
  let count = 0;
  return {
    push(tenant, item) {
      const items = waiting.get(tenant);
      if (items) items.push(item);
      else waiting.set(tenant, [item]);
      count++;
    },
    take(eligible) {
      for (const [tenant, items] of waiting) {
        if (!eligible(tenant)) continue;
        const item = items.shift()!;
        waiting.delete(tenant);
        if (items.length > 0) waiting.set(tenant, items);
        count--;
        return item;
      }
      return undefined;
    },
    drain() {
      const all = [...waiting.values()].flat();
      waiting.clear();
      count = 0;
      return all;
    },
    size: () => count,
  };
}
