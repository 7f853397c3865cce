/**
 * One snippet run as it was recorded: its state, what it cost (duration, CPU, wall clock, heap), the
 * inputs it was called with, its output or error, and its console output.
 */
import { Link } from 'react-router';
import { bytes, Id, Json, StateBadge, Time } from '../../ui/format.tsx';
import type { SnippetRun } from './types.ts';

export function RunView({ run, link }: { run: SnippetRun; link?: boolean }) {
  return (
    <div className="run-view stack" aria-label={`Run ${run.id}`}>
      <div className="row run-head">
        <StateBadge state={run.state} />
        <strong>{ms(run.duration_ms)}</strong>
        <span className="muted">
          {run.source.replaceAll('_', ' ')} · <Time value={run.created_at} />
        </span>
        {link ? (
          <Link to={`/dashboards/snippets/${run.snippet_id}/runs/${run.id}`}>{run.id}</Link>
        ) : (
          <Id>{run.id}</Id>
        )}
      </div>
      <dl className="props run-stats">
        <dt>Duration</dt>
        <dd>{ms(run.duration_ms)}</dd>
        <dt>CPU time</dt>
        <dd>{ms(run.stats.cpu_time_ms)}</dd>
        <dt>Wall time</dt>
        <dd>{ms(run.stats.wall_time_ms)}</dd>
        <dt>Heap used</dt>
        <dd>{bytes(run.stats.heap_used_bytes)}</dd>
        <dt>Snippet version</dt>
        <dd>
          {run.snippet_name} <span className="muted">(etag {run.snippet_etag})</span>
        </dd>
        <dt>Run by</dt>
        <dd>
          <Id>{run.run_by}</Id>
        </dd>
        {run.dashboard_id ? (
          <>
            <dt>Dashboard</dt>
            <dd>
              <Link to={`/dashboards/${run.dashboard_id}`}>{run.dashboard_name ?? run.dashboard_id}</Link>
              {run.widget_id ? (
                <span className="muted"> · widget {run.widget_title ?? run.widget_id}</span>
              ) : null}
            </dd>
          </>
        ) : null}
        <dt>Inputs</dt>
        <dd>
          {Object.keys(run.inputs).length === 0 ? (
            <span className="muted">none</span>
          ) : (
            <code>{JSON.stringify(run.inputs)}</code>
          )}
        </dd>
      </dl>
      {run.error ? (
        <div className="run-error" role="alert">
          <div>
            <strong>{run.error.code}</strong>: {run.error.message}
          </div>
          <ErrorDetails details={run.error.details} />
        </div>
      ) : null}
      {'output' in run ? (
        <div className="stack">
          <h3>Result</h3>
          <Json value={run.output ?? null} />
        </div>
      ) : null}
      {run.logs ? <ConsoleLogs run={run} /> : null}
    </div>
  );
}

function ConsoleLogs({ run }: { run: SnippetRun }) {
  const logs = run.logs ?? [];
  return (
    <div className="stack">
      <h3>
        Console{' '}
        <span className="muted">
          ({logs.length} {logs.length === 1 ? 'entry' : 'entries'})
        </span>
      </h3>
      {logs.length === 0 ? (
        <p className="muted">The run wrote nothing to the console.</p>
      ) : (
        <pre className="log run-logs" aria-label="Console output">
          {logs.map((entry, i) => (
            <div key={i} className={`log-line ${entry.level}`}>
              <span className="log-level">{entry.level.padEnd(5)}</span> {entry.message}
            </div>
          ))}
        </pre>
      )}
      {run.logs_dropped ? (
        <p className="muted">{run.logs_dropped} more entries were dropped past the console limit.</p>
      ) : null}
    </div>
  );
}

/** An error's details: the guest's stack as text when it has one, else the details as JSON. */
function ErrorDetails({ details }: { details: unknown }) {
  if (details === undefined || details === null) return null;
  const stack = (details as { stack?: unknown }).stack;
  if (typeof stack === 'string') return <pre className="log">{stack}</pre>;
  return <Json value={details} />;
}

export function ms(n: number): string {
  return n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(2)} s`;
}
