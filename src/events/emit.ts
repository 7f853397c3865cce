/**
 * POST /v1/agent_turns/{id}:emit: an agent reports what it does as one typed intent, which becomes one
 * event of the turn's session (docs/agents.md has the intent → event type table) and may move the turn's
 * state. One database statement does it all (src/events/log.ts), exactly once: the idempotency key and
 * the request's fingerprint are stored on the event row itself, so a replay (also one racing the first,
 * also after a crash) returns the same event — same id, sequence and cursor — and the same key with
 * another request is 409.
 */
import { isUniqueViolation } from '../db/errors.ts';
import { newId } from '../db/ids.ts';
import { ApiError, failedPrecondition, invalid, notFound } from '../http/errors.ts';
import { canonicalJson } from '../lib/canonical-json.ts';
import { sha256Hex } from '../lib/digest.ts';
import type { AppendOutcome, EventLog, NewEvent } from './log.ts';
import type { AgentsPort } from './ports.ts';
import type { AgentEvent, EmitBody } from './schemas.ts';
import type { EventType } from './tables.ts';
import type { TurnSignal } from './turn-lifecycle.ts';

export type EmitDeps = {
  eventLog: EventLog;
  agents: Pick<AgentsPort, 'sessionExists' | 'approvalRequested'>;
};

export type EmitRequest = {
  workspaceId: string;
  subject: string;
  turnId: string;
  body: EmitBody;
  idempotencyKey: string;
};

export type EmitResult = { event: AgentEvent; replayed: boolean };

/** The event an intent becomes and what it tells the turn. */
type Translation = Pick<NewEvent, 'type' | 'data' | 'signal' | 'failure' | 'approval'>;

function translate(body: EmitBody, subject: string): Translation {
  switch (body.type) {
    case 'message':
      return { type: 'message.created', data: body.data, signal: { kind: 'activity' } };
    case 'widget':
      return { type: 'widget.created', data: body.data, signal: { kind: 'activity' } };
    case 'artifact':
      return { type: 'artifact.created', data: body.data, signal: { kind: 'activity' } };
    case 'progress':
      return {
        type: 'progress.updated',
        data: body.data,
        signal: { kind: 'progress', state: body.data.state },
        ...(body.data.state === 'FAILED'
          ? { failure: { code: 'agent_reported_failure', message: body.data.message } }
          : {}),
      };
    case 'execution_environment':
      return {
        type: `execution_environment.${body.data.state.toLowerCase()}` as EventType,
        data: body.data,
        signal: { kind: 'activity' },
      };
    case 'approval_request': {
      // The spec's event types have no approval type: the request is announced as an approval card.
      const id = newId('apr');
      return {
        type: 'widget.created',
        data: {
          widget_type: 'approval_card',
          schema_version: 1,
          ...body.data,
          approval_request_id: id,
          resource_refs: [{ resource: 'approval_request', id }],
        },
        signal: { kind: 'approval_requested' } satisfies TurnSignal,
        approval: { id, ...body.data, createdBy: subject },
      };
    }
    case 'handoff_summary':
      return { type: 'handoff_summary.created', data: body.data, signal: { kind: 'activity' } };
    default: {
      const never: never = body;
      throw new Error(`unknown intent ${JSON.stringify(never)}`);
    }
  }
}

/** What makes two emits the same: the turn and the validated intent (defaults applied, key order ignored). */
export function fingerprint(turnId: string, intent: EmitBody): string {
  return sha256Hex(`${turnId}\n${canonicalJson(intent)}`);
}

function conflict(): ApiError {
  return new ApiError('IDEMPOTENCY_CONFLICT', {
    message: 'this idempotency-key was already used for a different emit; use a new key for a new event',
    path: ['header', 'idempotency-key'],
  });
}

export function createEmitter({ eventLog, agents }: EmitDeps) {
  /**
   * Appends the event; an approval card's event also creates its approval request, whose recipients are
   * notified in the same transaction (only when appended: a replay notified them the first time).
   */
  async function append(event: NewEvent): Promise<AppendOutcome> {
    const approval = event.approval;
    if (!approval) return eventLog.append(event);
    return eventLog.transaction(async (trx, appendIn) => {
      const outcome = await appendIn(event);
      if (outcome.outcome === 'appended') await agents.approvalRequested(trx, event.workspaceId, approval.id);
      return outcome;
    });
  }

  function result(outcome: AppendOutcome, turnId: string): EmitResult {
    switch (outcome.outcome) {
      case 'appended':
      case 'replayed':
        return { event: outcome.event, replayed: outcome.outcome === 'replayed' };
      case 'conflict':
        throw conflict();
      case 'terminal':
        throw failedPrecondition(
          `turn ${turnId} is ${outcome.turnState}; nothing more can be emitted into it`,
          {
            code: 'turn_terminal',
          },
        );
      case 'not_found':
        throw notFound('agent turn', turnId);
      default: {
        const never: never = outcome;
        throw new Error(`unknown outcome ${JSON.stringify(never)}`);
      }
    }
  }

  return {
    async emit(request: EmitRequest): Promise<EmitResult> {
      const { workspaceId, turnId, body } = request;
      if (
        body.type === 'handoff_summary' &&
        !(await agents.sessionExists(workspaceId, body.data.child_session_id))
      ) {
        throw invalid(
          ['body', 'data', 'child_session_id'],
          `session ${body.data.child_session_id} does not exist in this workspace`,
        );
      }
      const event: NewEvent = {
        workspaceId,
        turnId,
        ...translate(body, request.subject),
        idempotencyKey: request.idempotencyKey,
        requestHash: fingerprint(turnId, body),
      };
      try {
        return result(await append(event), turnId);
      } catch (error) {
        // The same key raced into another turn and won: the unique index stopped this one. Look again.
        if (isUniqueViolation(error, 'agent_events_idempotency')) return result(await append(event), turnId);
        throw error;
      }
    },
  };
}

export type Emitter = ReturnType<typeof createEmitter>;
