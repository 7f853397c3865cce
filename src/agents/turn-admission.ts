/**
 * Runtime admission of a turn whose agent names a runtime deployment: the turn is queued first, then
 * its run is asked for, and the answer is recorded on the turn. Admitted: `runtime_decision: ALLOWED`
 * and the run named in `decision_reason`. Refused (429 capacity, 409 no active version, a deleted
 * deployment…): `runtime_decision: DENIED`, `admission_error` and `failure` = `{code, message}` of the
 * refusal, and the turn ends FAILED through an `execution_environment.failed` event, so that a
 * follower of the session sees why. See docs/agents.md "Deployment runtimes".
 */
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { EventLog } from '../events/log.ts';
import { findTurn, lockTurn, recordDecision, type RuntimeDecision, type TurnRow } from './turn-store.ts';

/** Why a runtime refused a turn, as `admission_error` carries it. */
export type Refusal = { code: string; message: string };

const MAX_MESSAGE = 2000;

async function decide(
  trx: Transaction<DB>,
  workspaceId: string,
  turnId: string,
  decision: RuntimeDecision,
): Promise<void> {
  const turn = await lockTurn(trx, workspaceId, turnId);
  if (!turn) throw new Error(`turn ${turnId} vanished during its admission`);
  await recordDecision(trx, turnId, decision);
}

/** Records that the runtime took the turn (the run may already have moved it on). */
export async function recordAdmitted(
  eventLog: EventLog,
  workspaceId: string,
  turnId: string,
  decisionReason: string,
): Promise<TurnRow> {
  return eventLog.transaction(async (trx) => {
    await decide(trx, workspaceId, turnId, { runtime_decision: 'ALLOWED', decision_reason: decisionReason });
    return (await findTurn(trx, workspaceId, turnId))!;
  });
}

/** Records the runtime's refusal and ends the turn FAILED with an execution_environment.failed event. */
export async function recordRefused(
  eventLog: EventLog,
  workspaceId: string,
  turnId: string,
  refusal: Refusal,
): Promise<TurnRow> {
  const message = refusal.message.slice(0, MAX_MESSAGE) || refusal.code;
  const error = { code: refusal.code, message };
  return eventLog.transaction(async (trx, append) => {
    await decide(trx, workspaceId, turnId, {
      runtime_decision: 'DENIED',
      decision_reason: message,
      admission_error: JSON.stringify(error),
    });
    await append({
      workspaceId,
      turnId,
      type: 'execution_environment.failed',
      data: {
        state: 'FAILED',
        message: `no execution environment was started: ${message}`.slice(0, MAX_MESSAGE),
      },
      signal: { kind: 'progress', state: 'FAILED' },
      failure: error,
    });
    return (await findTurn(trx, workspaceId, turnId))!;
  });
}
