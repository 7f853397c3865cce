/**
 * Live delivery of events to the subscribers of one process. Each workspace with subscribers has one
 * tail reader: woken by the bus (or every few seconds, in case a wake-up was lost), it reads the
 * workspace's new events once and hands each to every subscriber whose filter it passes — one query per
 * wake-up however many subscribers there are.
 *
 * A subscriber first catches up from its own cursor with its own queries, at its consumer's pace, then
 * joins the tail. The hand-over is where an event could be lost or repeated, so:
 * - every read says up to where it has considered every event (`through`: the last row of a full page,
 *   the horizon of a short one), and the watermark moves there and nowhere else, whatever the page size,
 *   and however few of the rows a filter matches;
 * - joining is synchronous with comparing the watermark to the tail's position. Events the tail has
 *   dispatched past the watermark while the subscriber was reading are handed over from the tail's
 *   recent rows (or, when the tail has moved further than it keeps, read again from the store), so the
 *   subscriber joins exactly where the tail is;
 * - every path (catch-up, hand-over, tail) delivers only past the watermark and raises it: nothing is
 *   delivered twice, and everything arrives in position order;
 * - a subscriber joins only with room to spare in its buffer: a consumer whose buffer filled while it
 *   caught up would otherwise be closed as too slow by the first live event.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { DB } from '../db/schema.ts';
import type { EventBus } from './bus.ts';
import { matches, readAfter, readTail, type EventFilter, type EventRow } from './store.ts';

/** Where events go: one stream's consumer, with its filter and its position in the log. */
export type Subscriber = {
  filter: EventFilter;
  /** Everything up to here has been delivered or skipped. */
  watermark: number;
  /**
   * Delivers one event, in position order: `live` when it comes from the tail, which cannot wait for one
   * consumer (the subscriber may then close itself as too slow). False when the subscriber is closed.
   */
  deliver(event: EventRow, live: boolean): boolean;
  /** Whether at least `share` (0 ≤ share < 1; 0: any room at all) of its buffer is free; true once closed. */
  hasRoom(share: number): boolean;
  /** Resolves once `hasRoom(share)` holds: its consumer has read enough of what it was sent (or it closed). */
  room(share: number): Promise<void>;
};

/** Rows per catch-up read: they wait in memory for a slow consumer, so fewer than the tail's. */
const CATCH_UP_PAGE = 100;
/** Rows per read of the shared tail. */
const TAIL_PAGE = 500;
/**
 * Rows the tail keeps after dispatching them, to hand over to a subscriber whose catch-up ended just
 * behind it. Without them, in a busy workspace the tail could move on during every re-read and the
 * subscriber would keep reading instead of joining.
 */
const RECENT = 200;
/** The share of its buffer a subscriber must have free to join the tail. */
const JOIN_ROOM = 0.5;
const POLL_MS = 5000;

type Tail = {
  workspaceId: string;
  subscribers: Set<Subscriber>;
  /** Events up to here have been read and dispatched. */
  position: number;
  /** The last rows read, oldest first: every event after `recentFrom`, up to `position`. */
  recent: EventRow[];
  recentFrom: number;
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
        const { rows, more } = await readTail(db, tail.workspaceId, tail.position, TAIL_PAGE);
        for (const row of rows) dispatch(tail, row);
        remember(tail, rows);
        closeIfIdle(tail);
        if (more) tail.again = true;
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

  /** Moves the tail past the rows it dispatched, keeping the last RECENT of them. */
  function remember(tail: Tail, rows: EventRow[]): void {
    if (rows.length === 0) return;
    tail.position = rows[rows.length - 1]!.position;
    tail.recent.push(...rows);
    const excess = tail.recent.length - RECENT;
    if (excess > 0) tail.recentFrom = tail.recent.splice(0, excess)[excess - 1]!.position;
  }

  function openTail(workspaceId: string, position: number): Tail {
    const tail: Tail = {
      workspaceId,
      subscribers: new Set(),
      position,
      recent: [],
      recentFrom: position,
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

  /**
   * Adds a subscriber that has considered every event up to its watermark to its workspace's tail,
   * first handing it what the tail dispatched past the watermark. Synchronous, so the tail cannot move
   * in between. False when the tail has moved further than it keeps rows: read the gap from the store.
   */
  function join(workspaceId: string, subscriber: Subscriber): boolean {
    const tail = tails.get(workspaceId) ?? openTail(workspaceId, subscriber.watermark);
    if (tail.position > subscriber.watermark) {
      if (tail.recentFrom > subscriber.watermark) return false;
      for (const row of tail.recent) {
        if (row.position <= subscriber.watermark) continue;
        subscriber.watermark = row.position;
        if (matches(row, subscriber.filter) && !subscriber.deliver(row, true)) {
          closeIfIdle(tail);
          return true;
        }
      }
    }
    tail.subscribers.add(subscriber);
    return true;
  }

  return {
    async attach(workspaceId, subscriber, signal) {
      while (!signal.aborted) {
        const page = await readAfter(db, workspaceId, subscriber.filter, subscriber.watermark, CATCH_UP_PAGE);
        for (const row of page.rows) {
          await subscriber.room(0);
          subscriber.watermark = row.position;
          if (!subscriber.deliver(row, false)) return;
        }
        subscriber.watermark = Math.max(subscriber.watermark, page.through);
        if (page.more) continue;
        // Caught up to the horizon. Live events cannot wait for the consumer: join with room to spare.
        if (!subscriber.hasRoom(JOIN_ROOM)) {
          await subscriber.room(JOIN_ROOM);
          continue;
        }
        if (signal.aborted) return;
        if (join(workspaceId, subscriber)) return;
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
