/**
 * The agent catalogue: curated skills and templates that ship with Atoll as data files, read once at
 * start-up (docs/agent-catalog.md). No table: the catalogue changes with the build, not at run time.
 */
import type { ApiApp } from '../http/context.ts';
import { loadCatalog, type Catalog } from './catalog.ts';
import { registerCatalogRoutes } from './routes.ts';
import { createCatalogService } from './service.ts';

export function catalogModule(deps: { catalog?: Catalog } = {}) {
  const catalog = deps.catalog ?? loadCatalog();
  const service = createCatalogService(catalog);
  return {
    catalog,
    service,
    name: 'catalog',
    routes(app: ApiApp): void {
      registerCatalogRoutes(app, service);
    },
  };
}
