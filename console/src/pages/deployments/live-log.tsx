/**
 * The live log of a run or service instance, over `streamRunLogs` / `streamServiceLogs`: it follows
 * until the owner ends, resumes after any disconnect (or a server restart) from the last line shown, so
 * no line is lost or shown twice, and starts again from there when `epoch` changes (a service
 * restarted after it had stopped). stdout, stderr and platform lines are told apart; the view sticks to
 * the bottom only while the reader is there; its box has a fixed height, so nothing below it moves.
 */
import { streamRunLogs, streamServiceLogs, type AgentLogEntry, type AtollClient } from '@atoll/client';
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { api } from '../../api.ts';
import { ErrorBox } from '../../ui/states.tsx';

export type LogSource = { kind: 'run' | 'service'; deploymentId: string; id: string };

type Status =
  | { state: 'connecting' }
  | { state: 'following' }
  | { state: 'reconnecting'; reason: string }
  | { state: 'ended' }
  | { state: 'failed'; error: unknown };

const CHUNK = 400;

export function LiveLog({
  source,
  epoch,
  onEnd,
}: {
  source: LogSource;
  /** Changing it reopens an ended stream from the last line shown. */
  epoch?: unknown;
  /** Called when the stream ends because its owner ended. */
  onEnd?: () => void;
}) {
  const lines = useRef<AgentLogEntry[]>([]);
  const lastSeq = useRef(0);
  const [count, setCount] = useState(0);
  const [status, setStatus] = useState<Status>({ state: 'connecting' });
  const box = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const [behind, setBehind] = useState(false);
  const endRef = useRef(onEnd);
  endRef.current = onEnd;
  const { kind, deploymentId, id } = source;

  useEffect(() => {
    const controller = new AbortController();
    let pending: AgentLogEntry[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      if (pending.length === 0) return;
      lines.current.push(...pending);
      pending = [];
      setCount(lines.current.length);
    };
    const following = { state: 'following' } as const;
    void (async () => {
      setStatus({ state: 'connecting' });
      const options = {
        signal: controller.signal,
        ...(lastSeq.current > 0 ? { lastEventId: String(lastSeq.current) } : {}),
        onReconnect: (reason: string) => setStatus({ state: 'reconnecting', reason }),
      };
      // The client, telling us each time a (re)connection is answered: the status says "Following" then.
      const client: AtollClient = {
        ...api,
        fetch: async (input, init) => {
          const response = await api.fetch(input, init);
          if (response.ok) setStatus(following);
          return response;
        },
      };
      try {
        const stream =
          kind === 'run'
            ? streamRunLogs(client, deploymentId, id, options)
            : streamServiceLogs(client, deploymentId, id, options);
        for await (const entry of stream) {
          if (entry.seq <= lastSeq.current) continue;
          lastSeq.current = entry.seq;
          pending.push(entry);
          timer ??= setTimeout(flush, 16);
        }
        if (controller.signal.aborted) return;
        flush();
        setStatus({ state: 'ended' });
        endRef.current?.();
      } catch (error) {
        if (!controller.signal.aborted) setStatus({ state: 'failed', error });
      }
    })();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
      lines.current.push(...pending);
    };
  }, [kind, deploymentId, id, epoch]);

  // New lines: stay at the bottom if the reader was there, else say there is more below.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (atBottom.current) el.scrollTop = el.scrollHeight;
    else setBehind(true);
  }, [count]);

  const onScroll = useCallback(() => {
    const el = box.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
    if (atBottom.current) setBehind(false);
  }, []);

  const toBottom = () => {
    const el = box.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    setBehind(false);
  };

  const chunks: number[] = [];
  for (let start = 0; start < count; start += CHUNK) chunks.push(start);
  return (
    <div className="live-log">
      <div className="log-bar">
        <LogStatus status={status} lines={count} />
        <button
          className="small-button"
          onClick={toBottom}
          disabled={!behind}
          aria-hidden={!behind}
          tabIndex={behind ? 0 : -1}
        >
          ↓ Latest lines
        </button>
      </div>
      {status.state === 'failed' ? <ErrorBox error={status.error} title="The log stream stopped" /> : null}
      <div
        className="log-box"
        ref={box}
        onScroll={onScroll}
        role="log"
        aria-label={kind === 'run' ? 'Run log' : 'Service log'}
        tabIndex={0}
      >
        {count === 0 ? (
          <div className="log-empty">
            {status.state === 'ended' ? 'No output was logged.' : 'Waiting for the first line…'}
          </div>
        ) : (
          chunks.map((start) => (
            <Chunk key={start} lines={lines.current} start={start} end={Math.min(start + CHUNK, count)} />
          ))
        )}
      </div>
    </div>
  );
}

/** CHUNK lines; only the last chunk re-renders as lines arrive. */
const Chunk = memo(function Chunk({
  lines,
  start,
  end,
}: {
  lines: AgentLogEntry[];
  start: number;
  end: number;
}) {
  const rows = [];
  for (let i = start; i < end; i++) {
    const l = lines[i]!;
    rows.push(
      <div key={l.seq} className={`log-line ${l.stream}`} data-seq={l.seq}>
        <time dateTime={l.timestamp} title={l.timestamp}>
          {l.timestamp.slice(11, 23)}
        </time>
        <span className="stream">{l.stream === 'system' ? 'atoll' : l.stream}</span>
        <span className="text">{l.text}</span>
      </div>,
    );
  }
  return <>{rows}</>;
});

function LogStatus({ status, lines }: { status: Status; lines: number }) {
  const n = `${lines} line${lines === 1 ? '' : 's'}`;
  switch (status.state) {
    case 'connecting':
      return (
        <span className="log-status" role="status">
          Connecting… {n}
        </span>
      );
    case 'following':
      return (
        <span className="log-status following" role="status">
          <span className="dot" aria-hidden="true" /> Following · {n}
        </span>
      );
    case 'reconnecting':
      return (
        <span className="log-status reconnecting" role="status" title={status.reason}>
          Reconnecting ({status.reason}) · {n}
        </span>
      );
    case 'ended':
      return (
        <span className="log-status" role="status">
          Ended · {n}
        </span>
      );
    case 'failed':
      return (
        <span className="log-status" role="status">
          Stopped · {n}
        </span>
      );
    default: {
      const never: never = status;
      return never;
    }
  }
}
