/**
 * The agents domain wired together: agents, sessions, turns, approval requests and preferences. The event log
 * (src/events/) is passed in: cancelling a turn appends to it, and resolving an approval takes the
 * turn lock inside its transactions. The turn runtime (src/agents/runtime.ts) is passed in too.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { EventLog } from '../events/log.ts';
import type { AgentsPort } from '../events/ports.ts';
import type { ApiApp } from '../http/context.ts';
import { registerAgentRoutes } from './agent-routes.ts';
import { createAgentService } from './agent-service.ts';
import { notifyApprovalRequested } from './approval-notice.ts';
import { registerApprovalRoutes } from './approval-routes.ts';
import { createApprovalService } from './approval-service.ts';
import { registerPreferenceRoutes } from './preference-routes.ts';
import { createPreferenceService } from './preference-service.ts';
import type { TurnRuntime } from './runtime.ts';
import { registerSessionRoutes } from './session-routes.ts';
import { createSessionService } from './session-service.ts';
import { countOpenSessions, findAgent, findSession } from './store.ts';
import type { TurnState } from './tables.ts';
import { registerTurnRoutes } from './turn-routes.ts';
import { createTurnService } from './turn-service.ts';
import { findTurn, lockTurn } from './turn-store.ts';

export type AgentsDeps = {
  db: Kysely<DB>;
  /** Public base URL; none of the agents resources carries an html_url today. */
  publicUrl: string;
  eventLog: EventLog;
  /** Runs turns of agents that name a runtime deployment; without it such agents are refused (422). */
  runtime?: TurnRuntime;
};

export function agentsModule(deps: AgentsDeps) {
  const agents = createAgentService(deps);
  const sessions = createSessionService(deps);
  const turns = createTurnService(deps);
  const approvals = createApprovalService(deps);
  const preferences = createPreferenceService(deps);
  return {
    agents,
    sessions,
    turns,
    approvals,
    preferences,
    name: 'agents',
    routes(app: ApiApp): void {
      registerAgentRoutes(app, agents);
      registerSessionRoutes(app, sessions);
      registerTurnRoutes(app, turns);
      registerApprovalRoutes(app, approvals);
      registerPreferenceRoutes(app, preferences);
    },
  };
}

/**
 * Finds a turn of a workspace and gives its session and state; undefined when the workspace has no
 * such turn. Plugged into the snippets domain (AgentTurnLookup) and usable by the event code.
 */
export function lookupAgentTurn(
  db: Kysely<DB>,
): (workspaceId: string, turnId: string) => Promise<{ sessionId: string; state: TurnState } | undefined> {
  return async (workspaceId, turnId) => {
    const turn = await findTurn(db, workspaceId, turnId);
    return turn && { sessionId: turn.session_id, state: turn.state };
  };
}

/**
 * Whether a workspace has a session with this id. Plugged into the snippets domain
 * (AgentSessionLookup), which checks the agent references a snippet is created with.
 */
export function lookupAgentSession(
  db: Kysely<DB>,
): (workspaceId: string, sessionId: string) => Promise<boolean> {
  return async (workspaceId, sessionId) => (await findSession(db, workspaceId, sessionId)) !== undefined;
}

/**
 * Whether a workspace has an agent with this id (archived ones included). Plugged into the installs
 * domain (AgentLookup), which checks the agent a change request is opened for.
 */
/** The workspace's agent sessions that have not ended, by state (dashboards' platform metrics). */
export function openSessionCounts(db: Kysely<DB>) {
  return (workspaceId: string) => countOpenSessions(db, workspaceId);
}

export function lookupAgent(db: Kysely<DB>): (workspaceId: string, agentId: string) => Promise<boolean> {
  return async (workspaceId, agentId) => (await findAgent(db, workspaceId, agentId)) !== undefined;
}

/**
 * What the event log needs of the agents family (src/events/ports.ts): the turn lock every writer of a
 * turn takes first, whether a session exists, and the notice of a just-created approval request.
 */
export function agentsPort(db: Kysely<DB>): AgentsPort {
  return {
    lockTurn: (trx, workspaceId, turnId) => lockTurn(trx, workspaceId, turnId),
    sessionExists: lookupAgentSession(db),
    approvalRequested: notifyApprovalRequested,
  };
}
