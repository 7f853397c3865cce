/** The platform domain wired together: workspace, member, API token and region services and their routes. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { ApiApp } from '../http/context.ts';
import { registerApiTokenRoutes } from './api-tokens/routes.ts';
import { registerMemberRoutes } from './members/routes.ts';
import { createMemberService } from './members/service.ts';
import { createApiTokenService } from './api-tokens/service.ts';
import { registerRegionRoutes } from './regions/routes.ts';
import { createRegionService } from './regions/service.ts';
import { registerWorkspaceRoutes } from './workspaces/routes.ts';
import { createWorkspaceService } from './workspaces/service.ts';
import type { TokenCache } from './token-cache.ts';

export function platformModule(deps: { db: Kysely<DB>; publicUrl: string; tokenCache: TokenCache }) {
  const workspaces = createWorkspaceService(deps);
  const members = createMemberService(deps);
  const apiTokens = createApiTokenService(deps);
  const regions = createRegionService(deps);
  return {
    workspaces,
    members,
    apiTokens,
    regions,
    name: 'platform',
    routes(app: ApiApp): void {
      registerWorkspaceRoutes(app, workspaces);
      registerMemberRoutes(app, members);
      registerApiTokenRoutes(app, apiTokens);
      registerRegionRoutes(app, regions);
    },
  };
}
