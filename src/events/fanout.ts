/**
 * Live delivery of events to the subscribers of one process. Each workspace with subscribers has one
 * tail reader: woken by the bus (or every few seconds, in case a wake-up was lost), it reads the
 * workspace's new events once and hands each to every subscriber whose filter it passes — one query per
 * wake-up however many subscribers there are.
 *
 * A subscriber first catches up from its own cursor with its own queries, then joins the tail. It joins
 * only once it has read up to where the tail has dispatched (otherwise it reads again), and ignores
 * what it has already seen, so that no event is lost or repeated across the hand-over.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.ts';
import type { EventBus } from './bus.ts';
import { matches, readAfter, readTail, type EventFilter, type EventRow } from './store.ts';

/**
 * Where events go. `deliver` is called in position order, `live` telling whether the event comes from
 * the shared tail (which cannot wait for one slow subscriber) or from the subscriber's own catch-up
 * (which waits for `room` first); it returns false when the subscriber is closed.
 */
export type Subscriber = {
  filter: EventFilter;
  /** Everything up to here has been delivered or skipped. */
  watermark: number;
  deliver(event: EventRow, live: boolean): boolean;
  /** Resolves when the subscriber can take more events (its consumer has read what it was sent). */
  room(): Promise<void>;
};

/** Rows per read of the shared tail. */
const PAGE = 500;
/** Rows per catch-up read: they wait in memory for a slow consumer, so fewer. */
const CATCH_UP_PAGE = 100;
const POLL_MS = 5000;

type Tail = {
  workspaceId: string;
  subscribers: Set<Subscriber>;
  /** Events up to here have been read and dispatched. */
  position: number;
  reading: boolean;
  again: boolean;
  unsubscribe: () => void;
  poll: NodeJS.Timeout;
};

export type Fanout = {
  /** Catches the subscriber up from its watermark, then keeps it live until `detach`. */
  attach(workspaceId: string, subscriber: Subscriber, signal: AbortSignal): Promise<void>;
  detach(workspaceId: string, subscriber: Subscriber): void;
  /** Open tails, for tests and metrics. */
  tails(): number;
};

export function createFanout(db: Kysely<DB>, bus: EventBus, log: Logger): Fanout {
  const tails = new Map<string, Tail>();

  async function read(tail: Tail): Promise<void> {
    if (tail.reading) {
      tail.again = true;
      return;
    }
    tail.reading = true;
    try {
      do {
        tail.again = false;
        const rows = await readTail(db, tail.workspaceId, tail.position, PAGE);
        for (const row of rows) dispatch(tail, row);
        if (rows.length > 0) tail.position = rows[rows.length - 1]!.position;
        closeIfIdle(tail);
        if (rows.length === PAGE) tail.again = true;
      } while (tail.again && tails.get(tail.workspaceId) === tail);
    } catch (error) {
      log.warn({ err: error, workspace_id: tail.workspaceId }, 'reading the event tail failed; will retry');
      setTimeout(() => void read(tail), 500).unref();
    } finally {
      tail.reading = false;
    }
  }

  function dispatch(tail: Tail, row: EventRow): void {
    for (const subscriber of tail.subscribers) {
      if (row.position <= subscriber.watermark) continue;
      subscriber.watermark = row.position;
      if (matches(row, subscriber.filter) && !subscriber.deliver(row, true))
        tail.subscribers.delete(subscriber);
    }
  }

  function openTail(workspaceId: string, position: number): Tail {
    const tail: Tail = {
      workspaceId,
      subscribers: new Set(),
      position,
      reading: false,
      again: false,
      unsubscribe: () => {},
      poll: setInterval(() => void read(tail), POLL_MS).unref(),
    };
    tail.unsubscribe = bus.subscribe(workspaceId, () => void read(tail));
    tails.set(workspaceId, tail);
    // An event committed between the subscriber's read and this subscription woke nobody: look now.
    void read(tail);
    return tail;
  }

  function closeIfIdle(tail: Tail): void {
    if (tail.subscribers.size > 0 || tails.get(tail.workspaceId) !== tail) return;
    tails.delete(tail.workspaceId);
    tail.unsubscribe();
    clearInterval(tail.poll);
  }

  return {
    async attach(workspaceId, subscriber, signal) {
      for (;;) {
        if (signal.aborted) return;
        const { rows, horizon } = await readAfter(
          db,
          workspaceId,
          subscriber.filter,
          subscriber.watermark,
          PAGE,
        );
        for (const row of rows) {
          await subscriber.room();
          subscriber.watermark = row.position;
          if (!subscriber.deliver(row, false)) return;
        }
        if (rows.length === CATCH_UP_PAGE) continue;
        // Read everything up to the horizon: the subscriber has considered all of it.
        subscriber.watermark = Math.max(subscriber.watermark, horizon);
        const tail = tails.get(workspaceId) ?? openTail(workspaceId, horizon);
        // The tail dispatched past what we read: events in between would be missed. Read again.
        if (tail.position > subscriber.watermark) continue;
        if (signal.aborted) {
          closeIfIdle(tail);
          return;
        }
        tail.subscribers.add(subscriber);
        return;
      }
    },
    detach(workspaceId, subscriber) {
      const tail = tails.get(workspaceId);
      if (!tail) return;
      tail.subscribers.delete(subscriber);
      closeIfIdle(tail);
    },
    tails: () => tails.size,
  };
}
