/**
 * Bounds on nested executions: snippets starting snippets through platform.request(). A nested
 * execution is placed in an executor at once, never queued (its parent holds a slot while it waits for
 * it, so queueing could deadlock), so how many are in flight is bounded here, where they are admitted:
 * per tree (everything under one execution a client started) and per workspace. Admission never waits
 * either: a nested execution over a bound is refused at once with 429, which the parent sees as the
 * response to its platform.request(). Together with the depth limit (MAX_NESTING) this turns a fan-out
 * that would grow as 8^depth into at most `perTree` executions under any one run.
 */

import { ApiError, failedPrecondition } from '../http/errors.ts';
import type { Lineage } from '../isolate/platform-bridge.ts';

/** How deep snippets may start snippets through platform.request() (a client's execution is level 0). */
export const MAX_NESTING = 3;

export type NestingLimits = {
  /** Nested executions in flight under one outermost execution. */
  perTree: number;
  /** Nested executions in flight in one workspace, all trees together. */
  perWorkspace: number;
};

export type NestingGate = {
  /** Why a nested execution of `tree` in `workspaceId` would be refused now, or undefined. */
  refusal(tree: string, workspaceId: string): string | undefined;
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
  const refusal = (tree: string, workspaceId: string) => {
    if ((trees.get(tree) ?? 0) >= limits.perTree) {
      return `a run may have at most ${limits.perTree} nested snippet executions in flight; await some before starting more`;
    }
    if ((workspaces.get(workspaceId) ?? 0) >= limits.perWorkspace) {
      return `the workspace has ${limits.perWorkspace} nested snippet executions in flight, its limit; retry when some have ended`;
    }
    return undefined;
  };
  return {
    refusal,
    enter(tree, workspaceId) {
      const refused = refusal(tree, workspaceId);
      if (refused !== undefined) return refused;
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

/** The error refusing an execution at this lineage: too deep (409), or over a bound (429); else undefined. */
export function nestingError(gate: NestingGate, lineage: Lineage, workspaceId: string): ApiError | undefined {
  if (lineage.depth >= MAX_NESTING) {
    return failedPrecondition(`snippets may start other snippets at most ${MAX_NESTING} levels deep`, {
      code: 'nesting_limit',
    });
  }
  const refused = lineage.depth > 0 ? gate.refusal(lineage.tree, workspaceId) : undefined;
  return refused === undefined ? undefined : exhausted(refused);
}

function exhausted(message: string): ApiError {
  return new ApiError(
    'RESOURCE_EXHAUSTED',
    { message },
    { code: 'nested_execution_limit', headers: { 'retry-after': '1' } },
  );
}

/** Admits a nested execution (a release function to call when it ends) or throws nestingError's error. */
export function admitNested(gate: NestingGate, lineage: Lineage, workspaceId: string): () => void {
  const error = nestingError(gate, lineage, workspaceId);
  if (error) throw error;
  const release = gate.enter(lineage.tree, workspaceId);
  if (typeof release === 'string') throw exhausted(release);
  return release;
}

/** Whether a platform.request() starts a snippet execution: :execute (stored or ad hoc) or a run. */
export function startsExecution(method: string, url: string): boolean {
  if (method !== 'POST') return false;
  const path = url.split('?', 1)[0]!;
  return (
    /^\/v1\/snippets(?:\/[^/]+)?(?::|%3[aA])execute$/.test(path) || /^\/v1\/snippets\/[^/]+\/runs$/.test(path)
  );
}
