import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { migrate } from '../db/migrate.ts';
import { openTestDatabase } from '../testing/harness.ts';
import type { Database } from '../db/database.ts';

/** The documented rules (docs/agents.md), checked against the one implementation in SQL. */
const STATES = [
  'QUEUED',
  'RUNNING',
  'WAITING_FOR_INPUT',
  'WAITING_FOR_PERMISSION',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
];
const SIGNALS: Array<[string, string | null]> = [
  ['activity', null],
  ['progress', 'QUEUED'],
  ['progress', 'RUNNING'],
  ['progress', 'WAITING'],
  ['progress', 'COMPLETED'],
  ['progress', 'FAILED'],
  ['approval_requested', null],
  ['approvals_resolved', null],
  ['cancel', null],
];

function expected(state: string, signal: string, progress: string | null): string {
  if (['COMPLETED', 'FAILED', 'CANCELLED'].includes(state)) return state;
  if (signal === 'cancel') return 'CANCELLED';
  let next = state;
  if (signal === 'progress') {
    next =
      { RUNNING: 'RUNNING', WAITING: 'WAITING_FOR_INPUT', COMPLETED: 'COMPLETED', FAILED: 'FAILED' }[
        progress!
      ] ?? state;
  } else if (signal === 'approval_requested') next = 'WAITING_FOR_PERMISSION';
  else if (signal === 'approvals_resolved' && state === 'WAITING_FOR_PERMISSION') next = 'RUNNING';
  const isEvent = signal !== 'approvals_resolved';
  return isEvent && next === 'QUEUED' ? 'RUNNING' : next;
}

describe('the turn state machine', () => {
  let database: Database;
  let drop: () => Promise<void>;
  before(async () => {
    ({ database, drop } = await openTestDatabase());
    await migrate(database);
  });
  after(() => drop());

  test('every state × signal moves as documented, and ended turns never move', async () => {
    for (const state of STATES) {
      for (const [signal, progress] of SIGNALS) {
        const { rows } = await sql<{
          next: string;
        }>`SELECT atoll_next_turn_state(${state}, ${signal}, ${progress}) AS next`.execute(database.db);
        assert.equal(
          rows[0]!.next,
          expected(state, signal, progress),
          `${state} + ${signal}${progress ? ` ${progress}` : ''}`,
        );
      }
    }
  });
});
