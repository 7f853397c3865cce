/** The snippets domain wired together: snippets, their runs, and executing them in isolates. */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { ApiApp } from '../http/context.ts';
import type { Executor } from '../isolate/executor.ts';
import type { AgentSessionLookup } from './agent-refs.ts';
import { createExecutionService, type AgentTurnLookup, type TurnAnnouncer } from './execution.ts';
import { registerExecutionRoutes } from './execution-routes.ts';
import { createNestingGate, type NestingLimits } from './nesting.ts';
import { registerSnippetRunRoutes } from './run-routes.ts';
import { registerSnippetRoutes } from './routes.ts';
import { createSnippetService } from './service.ts';

export function snippetsModule(deps: {
  db: Kysely<DB>;
  publicUrl: string;
  executor: Executor;
  agentTurns: AgentTurnLookup;
  agentSessions: AgentSessionLookup;
  announce: TurnAnnouncer;
  nesting: NestingLimits;
}) {
  const snippets = createSnippetService(deps);
  const execution = createExecutionService({ ...deps, snippets, nesting: createNestingGate(deps.nesting) });
  return {
    snippets,
    execution,
    register(app: ApiApp): void {
      registerSnippetRoutes(app, snippets);
      registerExecutionRoutes(app, execution);
      registerSnippetRunRoutes(app, snippets);
    },
  };
}
