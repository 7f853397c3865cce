/**
 * What the event log needs from the agents family, which owns turns, sessions and approval requests
 * (src/agents/tables.ts). It is passed in at construction (`agentsPort` of src/agents/module.ts, wired in
 * src/atoll.ts), so that nothing in src/events/ imports src/agents/: the dependency runs agents → events.
 */
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';

export type AgentsPort = {
  /**
   * Locks the workspace's turn row until the transaction ends (every writer of a turn takes this lock
   * first, see src/events/turn-lifecycle.ts); a turn that does not exist locks nothing.
   */
  lockTurn(trx: Transaction<DB>, workspaceId: string, turnId: string): Promise<unknown>;
  /** Whether the workspace has a session with this id. */
  sessionExists(workspaceId: string, sessionId: string): Promise<boolean>;
  /** Tells the recipients of a just-created approval request, inside the transaction that created it. */
  approvalRequested(trx: Transaction<DB>, workspaceId: string, approvalId: string): Promise<void>;
};
