/**
 * A line, bar or doughnut chart in a widget's body, drawn by Chart.js loaded on first use (chart-lib.ts,
 * its own chunk). The canvas fills the fixed box of the widget, so loading or redrawing moves nothing.
 */
import { useEffect, useRef, useState } from 'react';
import type { Chart as ChartType, ChartConfiguration } from 'chart.js';

export type ChartSpec = {
  kind: 'line' | 'area' | 'bar' | 'donut';
  labels: string[];
  series: Array<{ label: string; values: Array<number | null> }>;
  /** Series stacked on one another (bar and area). */
  stacked?: boolean;
};

const COLORS = ['#0e7490', '#7c3aed', '#ea580c', '#15803d', '#b91c1c', '#1d4ed8', '#a16207', '#db2777'];

function configOf(spec: ChartSpec): ChartConfiguration {
  if (spec.kind === 'donut') {
    return {
      type: 'doughnut',
      data: {
        labels: spec.labels,
        datasets: spec.series.map((s) => ({
          label: s.label,
          data: s.values.map((v) => v ?? 0),
          backgroundColor: spec.labels.map((_, i) => COLORS[i % COLORS.length]!),
          borderWidth: 1,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: 'right' } },
      },
    };
  }
  const stacked = spec.stacked ?? false;
  return {
    type: spec.kind === 'bar' ? 'bar' : 'line',
    data: {
      labels: spec.labels,
      datasets: spec.series.map((s, i) => {
        const color = COLORS[i % COLORS.length]!;
        return {
          label: s.label,
          data: s.values,
          borderColor: color,
          backgroundColor: spec.kind === 'area' ? `${color}33` : color,
          fill: spec.kind === 'area',
          tension: 0.25,
          pointRadius: spec.labels.length > 40 ? 0 : 2,
          borderWidth: spec.kind === 'bar' ? 0 : 2,
        };
      }),
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: spec.series.length > 1, position: 'bottom' } },
      scales: {
        x: { stacked, ticks: { maxRotation: 0, autoSkip: true } },
        y: { stacked, beginAtZero: true, ticks: { precision: 0 } },
      },
    },
  };
}

/** A chart of `spec`; `label` describes it to assistive technology (the canvas is an image). */
export function ChartView({ spec, label }: { spec: ChartSpec; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<ChartType | null>(null);
  const [failed, setFailed] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    import('./chart-lib.ts')
      .then(({ Chart }) => {
        if (cancelled || !canvas.current) return;
        chart.current?.destroy();
        chart.current = new Chart(canvas.current, configOf(spec));
      })
      .catch((e: unknown) => setFailed(e instanceof Error ? e.message : String(e)));
    return () => {
      cancelled = true;
    };
  }, [spec]);

  useEffect(
    () => () => {
      chart.current?.destroy();
      chart.current = null;
    },
    [],
  );

  if (failed) return <p className="muted">The chart could not be drawn: {failed}</p>;
  return (
    <div className="chart-box">
      <canvas ref={canvas} role="img" aria-label={label} data-chart={spec.kind} />
    </div>
  );
}
