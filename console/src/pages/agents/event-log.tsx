/**
 * A session's conversation: the live event log, each turn opened by the user's message, turns that have
 * no event yet at the end. The log scrolls inside a box of fixed height, so arriving events never move
 * the page; it follows the newest event only while the reader is at the bottom, and otherwise offers a
 * "new events" button instead of pulling them away from what they are reading.
 */
import { useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { AgentEvent } from '@atoll/client';
import type { ApprovalRequest } from './approvals.ts';
import { EventView } from './event-view.tsx';
import { TurnHeader, type AgentTurn } from './turns.tsx';

const NEAR_BOTTOM_PX = 40;

export function EventLog({
  events,
  turns,
  approvals,
  empty,
  stickToken,
}: {
  events: AgentEvent[];
  turns: AgentTurn[] | undefined;
  approvals: Map<string, ApprovalRequest> | undefined;
  empty: ReactNode;
  /** Changes when the reader acts (sends a message): the log then jumps to the bottom. */
  stickToken: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const [unseen, setUnseen] = useState(false);
  const byId = useMemo(() => new Map((turns ?? []).map((t) => [t.id, t])), [turns]);

  const items: ReactNode[] = [];
  const opened = new Set<string>();
  for (const event of events) {
    if (!opened.has(event.turn_id)) {
      opened.add(event.turn_id);
      items.push(
        <TurnHeader key={`turn-${event.turn_id}`} id={event.turn_id} known={byId.get(event.turn_id)} />,
      );
    }
    items.push(<EventView key={event.id} event={event} approvals={approvals} />);
  }
  // Turns the agent has not answered yet (no event), oldest first.
  const waiting = (turns ?? []).filter((t) => !opened.has(t.id)).reverse();
  for (const turn of waiting) items.push(<TurnHeader key={`turn-${turn.id}`} id={turn.id} known={turn} />);

  const scrollToEnd = () => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    setUnseen(false);
  };
  useLayoutEffect(() => {
    if (atBottom.current) scrollToEnd();
    else setUnseen(true);
  }, [events.length, waiting.length]);
  useLayoutEffect(() => {
    if (stickToken > 0) scrollToEnd();
  }, [stickToken]);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    if (atBottom.current) setUnseen(false);
  };

  return (
    <div className="event-log-frame">
      <div
        className="event-log"
        ref={box}
        onScroll={onScroll}
        tabIndex={0}
        role="log"
        aria-label="Session events"
        aria-live="polite"
      >
        {items.length === 0 ? empty : <ol className="events">{items}</ol>}
      </div>
      {unseen ? (
        <button className="jump" onClick={scrollToEnd}>
          New events ↓
        </button>
      ) : null}
    </div>
  );
}
