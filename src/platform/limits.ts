/**
 * Quotas and entitlements wired together: what this server offers (entitlements, from the
 * configuration) and how much of each enforced limit is in use (quotas, from the live counters of the
 * domains that enforce them). docs/regions-and-quotas.md.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { ApiApp } from '../http/context.ts';
import type { EntitlementSettings } from './entitlements/catalogue.ts';
import { registerEntitlementRoutes } from './entitlements/routes.ts';
import { createEntitlementService } from './entitlements/service.ts';
import { registerQuotaRoutes } from './quotas/routes.ts';
import { createQuotaService } from './quotas/service.ts';

export function limitsModule(deps: {
  db: Kysely<DB>;
  settings: EntitlementSettings;
  /** Executions of a workspace running in this process's executor. */
  executions: { running(workspaceId: string): number };
  /** Nested snippet executions of a workspace in flight in this process. */
  nested: { inFlight(workspaceId: string): number };
}) {
  const { db, settings } = deps;
  const quotas = createQuotaService({
    db,
    sandboxCapacity: settings.agents.capacity,
    executions: {
      limit: settings.executor.workspaceConcurrency,
      running: (workspaceId) => deps.executions.running(workspaceId),
    },
    nested: {
      limit: settings.executor.nesting.perWorkspace,
      inFlight: (workspaceId) => deps.nested.inFlight(workspaceId),
    },
  });
  const entitlements = createEntitlementService(settings);
  return {
    quotas,
    entitlements,
    name: 'limits',
    routes(app: ApiApp): void {
      registerQuotaRoutes(app, quotas);
      registerEntitlementRoutes(app, entitlements);
    },
  };
}
