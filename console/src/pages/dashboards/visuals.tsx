/**
 * How a widget's result is drawn: a snippet run's output (the typed result contract, or a legacy JSON
 * value read by the snippet's display_type) or a platform metric's figure, as a number, a table, a status
 * list, logs, JSON, or a Chart.js chart (chart.tsx, loaded lazily).
 */
import { useMemo } from 'react';
import { Json } from '../../ui/format.tsx';
import { ChartView, type ChartSpec } from './chart.tsx';
import type {
  ContractOutput,
  Height,
  MetricResolution,
  SnippetRun,
  SnippetWidget,
  Visualization,
} from './types.ts';

const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

export function formatValue(value: unknown, unit?: string): string {
  if (value === null || value === undefined) return '—';
  const text = typeof value === 'number' ? numberFormat.format(value) : String(value);
  return unit ? `${text} ${unit}` : text;
}

function timeLabel(seconds: number, spanSeconds: number): string {
  const d = new Date(seconds * 1000);
  return spanSeconds > 2 * 86400
    ? d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
    : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

export function Stat({ value, caption }: { value: string; caption?: string }) {
  return (
    <div className="stat">
      <output className="stat-value">{value}</output>
      {caption ? <span className="muted">{caption}</span> : null}
    </div>
  );
}

function Chart({ spec, label }: { spec: ChartSpec; label: string }) {
  return <ChartView key={spec.kind} spec={spec} label={label} />;
}

/** A snippet run's output, drawn by the widget's visualization (else the snippet's default). */
export function RunOutput({
  run,
  widget,
  height,
}: {
  run: SnippetRun;
  widget: SnippetWidget;
  height: Height;
}) {
  if (run.result_contract_version === 1 && run.output) {
    const viz = widget.visualization ?? run.default_visualization;
    return (
      <ContractView output={run.output} viz={viz} height={height} title={widget.title ?? run.snippet_name} />
    );
  }
  return (
    <LegacyView
      output={run.output}
      displayType={widget.display_type}
      title={widget.title ?? run.snippet_name}
    />
  );
}

function ContractView({
  output,
  viz,
  height,
  title,
}: {
  output: ContractOutput;
  viz: Visualization;
  height: Height;
  title: string;
}) {
  const chartable = height !== 'compact';
  const spec = useMemo((): ChartSpec | null => {
    const kind = viz === 'bar' || viz === 'donut' || viz === 'area' ? viz : 'line';
    switch (output.type) {
      case 'timeseries': {
        const ts = output.points.map((p) => p.timestamp);
        const span = ts.length > 1 ? ts[ts.length - 1]! - ts[0]! : 0;
        return {
          kind: kind === 'donut' ? 'bar' : kind,
          labels: ts.map((t) => timeLabel(t, span)),
          series: output.series.map((s, i) => ({
            label: s.label,
            values: output.points.map((p) => p.values[i] ?? null),
          })),
        };
      }
      case 'categorical':
        return {
          kind: viz === 'line' || viz === 'area' || viz === 'donut' ? kind : 'bar',
          labels: output.categories.map((c) => c.label),
          series: output.series.map((s, i) => ({
            label: s.label,
            values: output.values.map((row) => row[i] ?? null),
          })),
        };
      case 'scalar': {
        const history = output.history ?? [];
        if (history.length < 2) return null;
        const span = history[history.length - 1]!.timestamp - history[0]!.timestamp;
        return {
          kind: kind === 'bar' ? 'bar' : kind === 'area' ? 'area' : 'line',
          labels: history.map((p) => timeLabel(p.timestamp, span)),
          series: [{ label: title, values: history.map((p) => p.value) }],
        };
      }
      default:
        return null;
    }
  }, [output, viz, title]);

  switch (output.type) {
    case 'scalar': {
      const stat = <Stat value={formatValue(output.value, output.unit)} caption={output.definition} />;
      if (!spec || !chartable || viz === 'stat') return stat;
      return (
        <div className="stat-with-chart">
          {stat}
          <Chart spec={spec} label={`${title}: history`} />
        </div>
      );
    }
    case 'timeseries':
    case 'categorical': {
      if (viz === 'table' || !chartable || viz === 'stat') return <SeriesTable output={output} />;
      if (viz === 'json') return <Json value={output} />;
      return <Chart spec={spec!} label={`${title}: ${spec!.series.map((s) => s.label).join(', ')}`} />;
    }
    case 'table':
      return (
        <table className="table widget-table">
          <thead>
            <tr>
              {output.columns.map((c) => (
                <th key={c.key} title={c.definition} className={c.kind === 'number' ? 'num' : undefined}>
                  {c.label}
                  {c.kind === 'number' && c.unit ? ` (${c.unit})` : ''}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {output.rows.map((row, r) => (
              <tr key={r}>
                {output.columns.map((c, i) => (
                  <td key={c.key} className={c.kind === 'number' ? 'num' : undefined}>
                    <Cell kind={c.kind} value={row[i] ?? null} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      );
    case 'status_list':
      return <StatusList items={output.items} />;
    case 'logs':
      return (
        <pre className="log widget-log">
          {output.entries
            .map((e) =>
              [e.timestamp ? new Date(e.timestamp * 1000).toISOString() : '', e.level ?? '', e.message]
                .filter(Boolean)
                .join(' '),
            )
            .join('\n')}
        </pre>
      );
    case 'json':
      return <Json value={output.value} />;
    default: {
      const unknown: never = output;
      return <Json value={unknown} />;
    }
  }
}

function Cell({ kind, value }: { kind: string; value: string | number | boolean | null }) {
  if (value === null) return <span className="muted">—</span>;
  if (kind === 'timestamp' && typeof value === 'number')
    return <>{new Date(value * 1000).toLocaleString()}</>;
  if (kind === 'link' && typeof value === 'string') {
    return /^https?:\/\/|^\//.test(value) ? <a href={value}>{value}</a> : <>{value}</>;
  }
  if (kind === 'boolean') return <>{value ? 'yes' : 'no'}</>;
  return <>{formatValue(value)}</>;
}

function SeriesTable({
  output,
}: {
  output: Extract<ContractOutput, { type: 'timeseries' | 'categorical' }>;
}) {
  const rows =
    output.type === 'timeseries'
      ? output.points.map((p) => ({ label: new Date(p.timestamp * 1000).toLocaleString(), values: p.values }))
      : output.categories.map((c, i) => ({ label: c.label, values: output.values[i] ?? [] }));
  return (
    <table className="table widget-table">
      <thead>
        <tr>
          <th>{output.type === 'timeseries' ? 'Time' : 'Category'}</th>
          {output.series.map((s) => (
            <th key={s.key} className="num">
              {s.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            <td>{r.label}</td>
            {output.series.map((s, j) => (
              <td key={s.key} className="num">
                {formatValue(r.values[j] ?? null, s.unit)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

type StatusItem = Extract<ContractOutput, { type: 'status_list' }>['items'][number];
const SEVERITY_TONE: Record<StatusItem['severity'], string> = {
  success: 'ok',
  info: 'info',
  warning: 'wait',
  critical: 'bad',
  unknown: 'neutral',
};

export function StatusList({ items }: { items: StatusItem[] }) {
  if (items.length === 0) return <p className="muted">Nothing to report.</p>;
  return (
    <ul className="status-list">
      {items.map((item) => (
        <li key={item.key}>
          <span className={`badge ${SEVERITY_TONE[item.severity]}`}>{item.severity}</span>
          <span className="status-label">
            {item.link ? <a href={item.link}>{item.label}</a> : item.label}
            {item.detail ? <span className="muted"> — {item.detail}</span> : null}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** A legacy (contract-less) output, read by the snippet's display_type where its shape allows. */
function LegacyView({
  output,
  displayType,
  title,
}: {
  output: unknown;
  displayType: SnippetWidget['display_type'];
  title: string;
}) {
  if (
    displayType === 'stat' &&
    (typeof output === 'number' || typeof output === 'string' || typeof output === 'boolean')
  ) {
    return <Stat value={formatValue(output)} />;
  }
  if (
    displayType === 'table' &&
    Array.isArray(output) &&
    output.every((r) => r && typeof r === 'object' && !Array.isArray(r))
  ) {
    const columns = [...new Set(output.flatMap((r) => Object.keys(r as object)))];
    return (
      <table className="table widget-table" aria-label={title}>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {output.map((r, i) => (
            <tr key={i}>
              {columns.map((c) => {
                const v = (r as Record<string, unknown>)[c];
                return (
                  <td key={c}>{v !== null && typeof v === 'object' ? JSON.stringify(v) : formatValue(v)}</td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  if (displayType === 'logs' && Array.isArray(output)) {
    return (
      <pre className="log widget-log">
        {output.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}
      </pre>
    );
  }
  return <Json value={output} />;
}

/** A platform metric's figure: counts by state as a bar chart (with the total), or usage against capacity. */
export function MetricOutput({
  resolution,
  height,
  title,
}: {
  resolution: MetricResolution;
  height: Height;
  title: string;
}) {
  const value = resolution.value;
  const spec = useMemo(
    (): ChartSpec | null =>
      value.kind === 'by_state'
        ? {
            kind: 'bar',
            labels: Object.keys(value.counts).map((s) => s.toLowerCase().replaceAll('_', ' ')),
            series: [{ label: title, values: Object.values(value.counts) }],
          }
        : null,
    [value, title],
  );
  if (value.kind === 'usage') {
    const share = value.limit > 0 ? Math.min(1, value.used / value.limit) : 0;
    return (
      <div className="stat">
        <output className="stat-value">
          {formatValue(value.used)} <span className="muted">/ {formatValue(value.limit)}</span>
        </output>
        <meter
          min={0}
          max={value.limit || 1}
          value={value.used}
          aria-label={`${title}: ${value.used} of ${value.limit}`}
        />
        <span className="muted">{Math.round(share * 100)}% of the server's capacity</span>
      </div>
    );
  }
  const counts = Object.entries(value.counts)
    .map(([state, n]) => `${state.toLowerCase().replaceAll('_', ' ')} ${formatValue(n)}`)
    .join(' · ');
  if (height === 'compact' || !spec) return <Stat value={formatValue(value.total)} caption={counts} />;
  return (
    <div className="stat-with-chart">
      <Stat value={formatValue(value.total)} caption="total" />
      <Chart spec={spec} label={`${title}: ${counts}`} />
    </div>
  );
}
