/**
 * Shared steps of the agents tests: create an agent, a session and a turn over HTTP, move a turn the
 * way the emit path does (under its lock, through turn-store.ts), and read the event log table.
 */
import assert from 'node:assert/strict';
import type { Harness } from '../testing/harness.ts';
import type { TurnState } from './tables.ts';
import type { TurnSignal } from '../events/turn-lifecycle.ts';
import { lockTurn, moveTurn } from './turn-store.ts';

export type Actor = { id: string; token: string };

export const isUnixSeconds = (v: unknown) =>
  Number.isInteger(v) && (v as number) > 1_600_000_000 && (v as number) < 4_000_000_000;

export const ZERO_USAGE = {
  provider_cost_cents: 0,
  provider_token_count: 0,
  runtime_compute_seconds: 0,
  runtime_storage_gb_hours: 0,
  mcp_call_count: 0,
  api_call_count: 0,
  ambient_trigger_count: 0,
};

export const minimalAgent = {
  name: 'Cluster doctor',
  instructions: 'Keep clusters healthy.',
  capabilities: ['CHAT'],
};

export async function createAgent(h: Harness, ws: Actor, body: object = minimalAgent): Promise<any> {
  const res = await h.request('POST', '/v1/agents', { token: ws.token, body });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

export async function createSession(h: Harness, ws: Actor, body: object = {}): Promise<any> {
  const agentId = (body as { agent_id?: string }).agent_id ?? (await createAgent(h, ws)).id;
  const res = await h.request('POST', '/v1/agent_sessions', {
    token: ws.token,
    body: { agent_id: agentId, ...body },
  });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

export async function createTurn(
  h: Harness,
  ws: Actor,
  sessionId?: string,
  message = 'Why is the install degraded?',
): Promise<any> {
  const session_id = sessionId ?? (await createSession(h, ws)).id;
  const res = await h.request('POST', '/v1/agent_turns', { token: ws.token, body: { session_id, message } });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

/** The signal that moves a QUEUED or RUNNING turn to each state (src/agents/turn-lifecycle.ts). */
const SIGNAL_TO: Record<Exclude<TurnState, 'QUEUED'>, TurnSignal> = {
  RUNNING: { kind: 'activity' },
  WAITING_FOR_INPUT: { kind: 'progress', state: 'WAITING' },
  WAITING_FOR_PERMISSION: { kind: 'approval_requested' },
  COMPLETED: { kind: 'progress', state: 'COMPLETED' },
  FAILED: { kind: 'progress', state: 'FAILED' },
  CANCELLED: { kind: 'cancel' },
};

/** Moves a turn to a state through the lifecycle functions, locked, in an event-log transaction. */
export async function moveTo(
  h: Harness,
  ws: Actor,
  turnId: string,
  state: Exclude<TurnState, 'QUEUED'>,
): Promise<void> {
  await h.atoll.events.log.transaction(async (trx) => {
    const turn = await lockTurn(trx, ws.id, turnId);
    assert.ok(turn, `turn ${turnId} exists`);
    const moved = await moveTurn(trx, turn, SIGNAL_TO[state]);
    assert.equal(moved.state, state);
  });
}

/** The stored events of a turn, in order. */
export async function eventsOf(h: Harness, turnId: string) {
  return h.database.db
    .selectFrom('agent_events')
    .select(['id', 'sequence', 'type', 'turn_id', 'session_id', 'data', 'position'])
    .where('turn_id', '=', turnId)
    .orderBy('position')
    .execute();
}

/** The error paths of a 4xx response, as dotted strings. */
export const errorPaths = (res: { body: any }) => res.body.errors.map((e: any) => (e.path ?? []).join('.'));
