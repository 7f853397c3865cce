/**
 * Events the platform appends on its own behalf into an agent's turn: today the widget.created that
 * announces a snippet run started for the turn. The announced row is written in the same transaction as
 * its event, so there is never an event for a row that does not exist, nor a run whose event was lost.
 * A turn that has already ended gets no event (the row is still written).
 */
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { EventLog } from './log.ts';
import type { AgentsPort } from './ports.ts';
import type { EventType } from './tables.ts';

export type Announcer = <R>(input: {
  workspaceId: string;
  turnId: string;
  type: EventType;
  /** Writes the announced row inside the event's transaction. */
  write: (trx: Transaction<DB>) => Promise<R>;
  data: (row: R) => unknown;
}) => Promise<R>;

export function createAnnouncer(eventLog: EventLog, agents: Pick<AgentsPort, 'lockTurn'>): Announcer {
  return (input) =>
    eventLog.transaction(async (trx, append) => {
      // The turn first, as every writer of a turn locks it, then the row, then the event.
      await agents.lockTurn(trx, input.workspaceId, input.turnId);
      const row = await input.write(trx);
      await append({
        workspaceId: input.workspaceId,
        turnId: input.turnId,
        type: input.type,
        data: input.data(row),
        signal: { kind: 'activity' },
      });
      return row;
    });
}
