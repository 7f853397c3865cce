/**
 * Agent turns: submit (QUEUED, into a non-archived session of an enabled agent), list, get and cancel.
 * Cancelling locks the turn, moves it to CANCELLED, rejects its pending approval requests and appends
 * one `turn.cancelled` event, all in one transaction; a cancelled turn cancels again as a no-op, and a
 * turn that already completed or failed cannot be cancelled (422). A turn of an agent with a runtime
 * deployment starts a run once queued (turn-admission.ts), and cancelling the turn stops that run.
 */
import type { Kysely } from 'kysely';
import { newId } from '../db/ids.ts';
import type { DB } from '../db/schema.ts';
import type { EventLog } from '../events/log.ts';
import type { Caller } from '../http/context.ts';
import { ApiError, notFound } from '../http/errors.ts';
import { toPage, type Page, type PageRequest } from '../http/pagination.ts';
import type { Actor } from './actor.ts';
import { rejectPendingApprovals } from './approval-store.ts';
import { archivedReference, unknownReference } from './refusals.ts';
import * as store from './store.ts';
import { EMPTY_USAGE } from './tables.ts';
import type { TurnRuntime } from './runtime.ts';
import { recordAdmitted, recordRefused, type Refusal } from './turn-admission.ts';
import type { AgentTurn, CreateAgentTurnBody } from './turn-schemas.ts';
import * as turns from './turn-store.ts';
import type { TurnRow } from './turn-store.ts';
import { toAgentTurn } from './resources.ts';

export type TurnService = ReturnType<typeof createTurnService>;

/** Which turn to cancel, and why (recorded on its rejected approvals and its turn.cancelled event). */
export type Cancellation = { id: string; reason: string | undefined };

/** The refusal an error stands for: the runtime's own code for an ApiError, `internal` otherwise. */
function refusalOf(error: unknown): Refusal {
  if (error instanceof ApiError)
    return { code: error.code ?? error.status.toLowerCase(), message: error.message };
  return { code: 'internal', message: 'the run could not be started because of a platform error' };
}

export function createTurnService({
  db,
  eventLog,
  runtime,
}: {
  db: Kysely<DB>;
  eventLog: EventLog;
  runtime?: TurnRuntime | undefined;
}) {
  /** Asks the runtime for the queued turn's run and records the answer; a refused turn ends FAILED. */
  async function admit(turn: TurnRow, deploymentId: string, message: string): Promise<TurnRow> {
    if (!runtime)
      return recordRefused(eventLog, turn.workspace_id, turn.id, {
        code: 'runtime_unavailable',
        message: `the agent names runtime deployment ${deploymentId}, but this server runs no agent deployments`,
      });
    try {
      const { runId } = await runtime.start(turn.workspace_id, deploymentId, {
        turn_id: turn.id,
        session_id: turn.session_id,
        message,
      });
      return await recordAdmitted(
        eventLog,
        turn.workspace_id,
        turn.id,
        `started run ${runId} of agent deployment ${deploymentId}`,
      );
    } catch (error) {
      const refused = await recordRefused(eventLog, turn.workspace_id, turn.id, refusalOf(error));
      // A refusal is an outcome; anything else is a fault, reported once the turn is settled.
      if (!(error instanceof ApiError)) throw error;
      return refused;
    }
  }

  return {
    async create(workspaceId: string, caller: Caller, body: CreateAgentTurnBody): Promise<AgentTurn> {
      const { row, runtimeDeploymentId } = await db.transaction().execute(async (trx) => {
        // Both rows are held until commit, so neither can be archived while the turn is being queued.
        const session = await store.findSession(trx, workspaceId, body.session_id, 'share');
        if (!session)
          throw unknownReference({ field: 'session_id', kind: 'agent session', id: body.session_id });
        if (session.state === 'ARCHIVED') {
          throw archivedReference(
            { field: 'session_id', kind: 'agent session', id: session.id },
            'start a new session',
          );
        }
        const agent = await store.findAgent(trx, workspaceId, session.agent_id, 'share');
        if (agent?.state !== 'ENABLED') {
          throw archivedReference(
            { field: 'session_id', kind: 'agent', id: session.agent_id },
            'enable the agent to continue its sessions',
          );
        }
        const inserted = await turns.insertTurn(trx, {
          id: newId('trn'),
          workspace_id: workspaceId,
          agent_id: session.agent_id,
          session_id: session.id,
          origin: 'API',
          input: JSON.stringify({ type: 'message', content: body.message }),
          runtime_hint: body.runtime_hint,
          model: null,
          created_by: caller.subject,
          started_at: null,
          completed_at: null,
          runtime_decision: null,
          decision_reason: null,
          resolved_execution_mode: null,
          admission_error: null,
          usage_summary: JSON.stringify(EMPTY_USAGE),
          failure: null,
        });
        return { row: inserted, runtimeDeploymentId: agent.runtime_deployment_id };
      });
      if (runtimeDeploymentId === null) return toAgentTurn(row);
      return toAgentTurn(await admit(row, runtimeDeploymentId, body.message));
    },

    async list(
      workspaceId: string,
      filters: { sessionId?: string | undefined },
      page: PageRequest,
    ): Promise<Page<AgentTurn>> {
      return toPage(await turns.listTurns(db, workspaceId, filters, page), page, toAgentTurn);
    },

    async get(workspaceId: string, id: string): Promise<AgentTurn> {
      const row = await turns.findTurn(db, workspaceId, id);
      if (!row) throw notFound('agent turn', id);
      return toAgentTurn(row);
    },

    async cancel({ workspaceId, caller }: Actor, { id, reason }: Cancellation): Promise<AgentTurn> {
      const row = await eventLog.transaction(async (trx, append) => {
        const turn = await turns.lockTurn(trx, workspaceId, id);
        if (!turn) throw notFound('agent turn', id);
        switch (turn.state) {
          case 'CANCELLED':
            return turn;
          case 'COMPLETED':
          case 'FAILED':
            throw new ApiError(
              'INVALID_ARGUMENT',
              {
                message: `agent turn ${id} already ended ${turn.state}; only a queued or running turn can be cancelled`,
                path: ['path', 'id'],
                metadata: { state: turn.state },
              },
              { code: 'turn_terminal' },
            );
          case 'QUEUED':
          case 'RUNNING':
          case 'WAITING_FOR_INPUT':
          case 'WAITING_FOR_PERMISSION':
            break;
          default: {
            const never: never = turn.state;
            throw new Error(`unknown turn state ${String(never)}`);
          }
        }
        // Nobody can act on an approval of a cancelled turn: close them so they leave the pending list.
        await rejectPendingApprovals(trx, turn.id, {
          reason: reason ?? 'the turn was cancelled',
          resolvedBy: caller.subject,
        });
        await append({
          workspaceId,
          turnId: turn.id,
          type: 'turn.cancelled',
          data: { previous_state: turn.state, ...(reason !== undefined ? { reason } : {}) },
          signal: { kind: 'cancel' },
        });
        return (await turns.findTurn(trx, workspaceId, turn.id))!;
      });
      await runtime?.stop(workspaceId, row.id, reason ?? 'the agent turn was cancelled');
      return toAgentTurn(row);
    },
  };
}
