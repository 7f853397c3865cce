/**
 * Bounds on nested executions: snippets starting snippets through platform.request(). A nested
 * execution is placed in an executor at once, never queued (its parent holds a slot while it waits for
 * it, so queueing could deadlock), so how many are in flight is bounded here, where they are admitted:
 * per tree (everything under one execution a client started) and per workspace. Admission never waits
 * either: a nested execution over a bound is refused at once with 429, which the parent sees as the
 * response to its platform.request(). Together with the depth limit (MAX_NESTING) this turns a fan-out
 * that would grow as 8^depth into at most `perTree` executions under any one run.
 */

export type NestingLimits = {
  /** Nested executions in flight under one outermost execution. */
  perTree: number;
  /** Nested executions in flight in one workspace, all trees together. */
  perWorkspace: number;
};

export type NestingGate = {
  /**
   * Admits one nested execution of `tree` in `workspaceId`: a release function to call when it has
   * ended, or the sentence saying which bound refused it.
   */
  enter(tree: string, workspaceId: string): (() => void) | string;
  /** Nested executions in flight in a workspace (tests, metrics). */
  inFlight(workspaceId: string): number;
};

export function createNestingGate(limits: NestingLimits): NestingGate {
  const trees = new Map<string, number>();
  const workspaces = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string, delta: number) => {
    const n = (map.get(key) ?? 0) + delta;
    if (n > 0) map.set(key, n);
    else map.delete(key);
  };
  return {
    enter(tree, workspaceId) {
      if ((trees.get(tree) ?? 0) >= limits.perTree) {
        return `a run may have at most ${limits.perTree} nested snippet executions in flight; await some before starting more`;
      }
      if ((workspaces.get(workspaceId) ?? 0) >= limits.perWorkspace) {
        return `the workspace has ${limits.perWorkspace} nested snippet executions in flight, its limit; retry when some have ended`;
      }
      bump(trees, tree, 1);
      bump(workspaces, workspaceId, 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        bump(trees, tree, -1);
        bump(workspaces, workspaceId, -1);
      };
    },
    inFlight: (workspaceId) => workspaces.get(workspaceId) ?? 0,
  };
}
