/** The snippets domain wired together: snippets, their runs, and executing them in isolates. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { ApiApp } from '../http/context.ts';
import { newId } from '../db/ids.ts';
import { renderError } from '../http/families.ts';
import type { Executor } from '../isolate/executor.ts';
import type { Preflight } from '../isolate/platform-bridge.ts';
import type { AgentSessionLookup } from './agent-refs.ts';
import { createExecutionService, type AgentTurnLookup, type TurnAnnouncer } from './execution.ts';
import { registerExecutionRoutes } from './execution-routes.ts';
import { createNestingGate, nestingError, startsExecution, type NestingLimits } from './nesting.ts';
import { registerSnippetRunRoutes } from './run-routes.ts';
import { registerSnippetRoutes } from './routes.ts';
import { createSnippetService } from './service.ts';
import { registerSnippetUsageRoutes } from './usage-routes.ts';
import { createSnippetUsageService, type DashboardsOfSnippets } from './usage.ts';
import * as store from './store.ts';
import { etagOf } from '../http/etag.ts';

/**
 * What another family may know of a snippet of a workspace (dashboards: widgets name snippets), read
 * through this module rather than the snippets table.
 */
export function lookupSnippet(db: Kysely<DB>) {
  return async (workspaceId: string, snippetId: string) => {
    const row = await store.findSnippetFacts(db, workspaceId, snippetId);
    if (!row) return undefined;
    return {
      id: row.id,
      etag: etagOf(row.version),
      archived: row.archived_at !== null,
      visibility: row.visibility,
      display_type: row.display_type,
      inputKeys: row.inputs.map((i) => i.key),
    };
  };
}

export function snippetsModule(deps: {
  db: Kysely<DB>;
  /** The dashboards that use a snippet (dashboards/module.ts dashboardsOfSnippets, wired by the root). */
  dashboards: DashboardsOfSnippets;
  publicUrl: string;
  executor: Executor;
  agentTurns: AgentTurnLookup;
  agentSessions: AgentSessionLookup;
  announce: TurnAnnouncer;
  nesting: NestingLimits;
}) {
  const snippets = createSnippetService(deps);
  const usage = createSnippetUsageService(deps);
  const nesting = createNestingGate(deps.nesting);
  const execution = createExecutionService({ ...deps, snippets, nesting });
  return {
    snippets,
    execution,
    /** The bound on nested executions (its in-flight counts are the snippets/nested_executions quota). */
    nesting,
    /**
     * Answers a platform.request() that would start an execution the route would refuse (too deep, or
     * over a nesting bound) without sending it through the app; the route checks again when admitting.
     */
    preflight: ((request, lineage, workspaceId) => {
      if (!startsExecution(request.method, request.url)) return undefined;
      const error = nestingError(nesting, lineage, workspaceId);
      if (!error) return undefined;
      const rendered = renderError('akua', error, newId('req'));
      return Response.json(rendered.body, { status: rendered.status, headers: rendered.headers });
    }) satisfies Preflight,
    name: 'snippets',
    routes(app: ApiApp): void {
      registerSnippetRoutes(app, snippets);
      registerExecutionRoutes(app, execution);
      registerSnippetRunRoutes(app, snippets);
      // After GET /v1/snippets/{id}: the router never lets `{id}` take `snp_…:usage` (src/http/routing.ts).
      registerSnippetUsageRoutes(app, usage);
    },
  };
}

/** The workspace's snippet runs in a window, counted by state (dashboards' platform metrics). */
export function snippetRunCounts(db: Kysely<DB>) {
  return (workspaceId: string, window: { from: Date; to: Date }) =>
    store.countRunsByState(db, workspaceId, window);
}
