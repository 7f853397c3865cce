/**
 * The dashboards domain wired together: dashboards, their widgets and revisions (docs/dashboards.md).
 * Snippets are read through the snippets module (lookupSnippet); the snippets family asks which
 * dashboards use a snippet through `dashboardsOfSnippets`, which the composition root hands it.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { ApiApp } from '../http/context.ts';
import { defineModule } from '../module.ts';
import { openSessionCounts } from '../agents/module.ts';
import { workspaceSandboxesInUse } from '../deployments/capacity.ts';
import { renderCounts } from '../installs/module.ts';
import { lookupSnippet, snippetRunCounts } from '../snippets/module.ts';
import type { MetricSources } from './metrics.ts';
import type { DashboardsOfSnippets } from '../snippets/usage.ts';
import { createResultService, type WidgetRunner } from './results.ts';
import { registerDashboardRoutes } from './routes.ts';
import { createDashboardService } from './service.ts';
import * as store from './store.ts';
import { registerWidgetRoutes } from './widget-routes.ts';
import { createWidgetService } from './widgets.ts';

/** For each snippet, the dashboards (not deleted) of its workspace with a widget of it (usage, archiving). */
export function dashboardsOfSnippets(db: Kysely<DB>): DashboardsOfSnippets {
  return async (workspaceId, snippetIds) => {
    const found = await store.dashboardsUsingSnippets(db, workspaceId, snippetIds);
    return new Map(
      snippetIds.map((snippetId) => [
        snippetId,
        found
          .filter((d) => d.widgets.some((w) => w.widget_type === 'snippet' && w.snippet_id === snippetId))
          .map(({ widgets: _, ...dashboard }) => dashboard),
      ]),
    );
  };
}

/** The figures of platform metrics, from the families that keep them. */
export function metricSources(db: Kysely<DB>, sandboxCapacity: number): MetricSources {
  return {
    snippetRuns: snippetRunCounts(db),
    renders: renderCounts(db),
    openSessions: openSessionCounts(db),
    sandboxes: (workspaceId) => workspaceSandboxesInUse(db, workspaceId),
    sandboxCapacity,
  };
}

export function dashboardsModule(deps: {
  db: Kysely<DB>;
  publicUrl: string;
  runner: WidgetRunner;
  metrics: MetricSources;
}) {
  const snippets = lookupSnippet(deps.db);
  const dashboards = createDashboardService({ ...deps, lookupSnippet: snippets });
  const widgets = createWidgetService({ db: deps.db, lookupSnippet: snippets });
  const results = createResultService({
    db: deps.db,
    lookupSnippet: snippets,
    runner: deps.runner,
    metrics: deps.metrics,
  });
  return defineModule({
    dashboards,
    widgets,
    results,
    name: 'dashboards',
    routes(app: ApiApp): void {
      registerDashboardRoutes(app, dashboards);
      registerWidgetRoutes(app, widgets, results);
    },
  });
}
