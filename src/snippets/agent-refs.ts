/**
 * The agent references a snippet is created with (`agent_session_id`, `agent_turn_id`: the session and
 * turn of the agent that wrote it) must name a session and a turn of the caller's own workspace, and
 * agree with each other; the agents domain answers through these two lookups.
 */
import { invalid, type ErrorDetail } from '../http/errors.ts';

/** Checks that an agent turn belongs to the workspace and gives its session (the agents domain). */
export type AgentTurnLookup = (
  workspaceId: string,
  turnId: string,
) => Promise<{ sessionId: string } | undefined>;

/** Whether a workspace has a session with this id (the agents domain). */
export type AgentSessionLookup = (workspaceId: string, sessionId: string) => Promise<boolean>;

export type AgentLookups = { agentTurns: AgentTurnLookup; agentSessions: AgentSessionLookup };

/** Throws a 422 naming every reference that is not the workspace's, or that disagrees with the other. */
export async function checkAgentRefs(
  lookups: AgentLookups,
  workspaceId: string,
  refs: { agent_session_id?: string | undefined; agent_turn_id?: string | undefined },
): Promise<void> {
  const problems: ErrorDetail[] = [];
  const sessionId = refs.agent_session_id;
  const turnId = refs.agent_turn_id;
  if (sessionId !== undefined && !(await lookups.agentSessions(workspaceId, sessionId))) {
    problems.push({
      path: ['body', 'agent_session_id'],
      message: `agent session ${sessionId} does not exist in this workspace`,
    });
  }
  if (turnId !== undefined) {
    const turn = await lookups.agentTurns(workspaceId, turnId);
    if (!turn) {
      problems.push({
        path: ['body', 'agent_turn_id'],
        message: `agent turn ${turnId} does not exist in this workspace`,
      });
    } else if (sessionId !== undefined && turn.sessionId !== sessionId) {
      problems.push({
        path: ['body', 'agent_turn_id'],
        message: `agent turn ${turnId} belongs to session ${turn.sessionId}, not to agent_session_id ${sessionId}`,
      });
    }
  }
  const [first, ...more] = problems;
  if (first) throw invalid(first.path!, first.message, { more });
}
