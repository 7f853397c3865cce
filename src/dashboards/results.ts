/**
 * Widget results: resolving a snippet widget gives the result of its snippet for the dashboard's
 * filters, from a real, persisted snippet run. The inputs are the widget's bindings applied to the
 * filter values (given, else the dashboard's defaults); the cache key covers the widget, those inputs
 * (normalised), the snippet's etag and the viewer, so one viewer's result is never served to another.
 * A cached run younger than the widget's freshness policy is served as it is; otherwise (or when a
 * refresh is asked for) the snippet runs (`source: dashboard_open`, or `dashboard_refresh`) and its run
 * becomes the cached one. Concurrent resolutions of one key in this process run the snippet once.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Caller } from '../http/context.ts';
import { invalid, notFound } from '../http/errors.ts';
import { canonicalJson } from '../lib/canonical-json.ts';
import type { SnippetRun } from '../snippets/run-schemas.ts';
import type { SnippetLookup } from './commit.ts';
import type { SnippetWidget } from './definition.ts';
import { metricOf, windowOf, type MetricSources } from './metrics.ts';
import type { DashboardWidgetResultResolution, PlatformMetricResolution } from './schemas.ts';
import type { StoredWidget } from './tables.ts';
import * as store from './store.ts';
import { createHash } from 'node:crypto';

/** Results one process keeps in memory (the newest per cache key). */
const MEMORY_ENTRIES = 1000;

/** How long a result stays fresh under `provider_default`, in seconds. */
export const PROVIDER_DEFAULT_MAX_AGE_SECONDS = 300;

/** Runs a widget's snippet as a persisted run, and reads runs back (the snippets family, wired by the root). */
export type WidgetRunner = {
  run(
    ctx: { caller: Caller; workspaceId: string },
    snippetId: string,
    body: {
      inputs: Record<string, unknown>;
      context: { source: 'dashboard_open' | 'dashboard_refresh'; dashboard_id: string; widget_id: string };
    },
    labels: { dashboard_name: string; widget_title: string | null },
  ): Promise<SnippetRun>;
  getRun(workspaceId: string, runId: string): Promise<SnippetRun | undefined>;
};

export type ResolveRequest = {
  filter_values?: Record<string, unknown> | undefined;
  refresh?: boolean | undefined;
};

const hex = (text: string) => createHash('sha256').update(text).digest('hex');

/** The inputs a widget's bindings give for the filter values (an unbound input is left to its default). */
export function widgetInputs(
  widget: SnippetWidget,
  filters: Record<string, unknown>,
): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const [input, binding] of Object.entries(widget.input_bindings)) {
    if (binding.mode === 'fixed') inputs[input] = binding.value;
    else if (binding.mode === 'inherit' && filters[binding.filter_key] !== undefined)
      inputs[input] = filters[binding.filter_key];
  }
  return inputs;
}

export type ResultService = ReturnType<typeof createResultService>;

export function createResultService(deps: {
  db: Kysely<DB>;
  lookupSnippet: SnippetLookup;
  runner: WidgetRunner;
  metrics: MetricSources;
}) {
  const { db, runner } = deps;
  const inFlight = new Map<string, Promise<DashboardWidgetResultResolution>>();
  /**
   * The newest result of each cache key this process served, so a fresh one is served without reading
   * the run again (the table is the shared record; another process may hold a newer run, which is
   * served there while this one stays fresh here). Oldest keys are dropped past MEMORY_ENTRIES.
   */
  const memory = new Map<string, { run: SnippetRun; observedAt: Date }>();
  const remember = (key: string, entry: { run: SnippetRun; observedAt: Date }) => {
    memory.delete(key);
    memory.set(key, entry);
    if (memory.size > MEMORY_ENTRIES) memory.delete(memory.keys().next().value!);
  };

  async function resolveKey(
    ctx: { caller: Caller; workspaceId: string },
    dashboard: store.DashboardRow,
    widget: SnippetWidget,
    inputs: Record<string, unknown>,
    keys: { inputHash: string; cacheKey: string; snippetEtag: string },
    refresh: boolean,
  ): Promise<DashboardWidgetResultResolution> {
    const maxAge =
      widget.freshness_policy.mode === 'max_age'
        ? widget.freshness_policy.max_age_seconds
        : PROVIDER_DEFAULT_MAX_AGE_SECONDS;
    const now = Date.now();
    const answer = (run: SnippetRun, observedAt: Date): DashboardWidgetResultResolution => {
      const observed = Math.floor(observedAt.getTime() / 1000);
      const age = Math.max(0, Math.floor((now - observedAt.getTime()) / 1000));
      return {
        widget_id: widget.id,
        snippet_etag: keys.snippetEtag,
        inputs,
        input_hash: keys.inputHash,
        cache_key: keys.cacheKey,
        result: run,
        freshness: { state: 'fresh', observed_at: observed, age_seconds: age, max_age_seconds: maxAge },
        revalidation: { required: false, after: observed + maxAge },
      };
    };
    const fresh = (at: Date) => now - at.getTime() < maxAge * 1000;
    const held = refresh ? undefined : memory.get(keys.cacheKey);
    if (held && fresh(held.observedAt)) return answer(held.run, held.observedAt);
    const cached = refresh ? undefined : await store.findResult(db, keys.cacheKey);
    if (cached && fresh(cached.observed_at)) {
      const run = await runner.getRun(ctx.workspaceId, cached.run_id);
      if (run) {
        remember(keys.cacheKey, { run, observedAt: cached.observed_at });
        return answer(run, cached.observed_at);
      }
    }
    const run = await runner.run(
      ctx,
      widget.snippet_id,
      {
        inputs,
        context: {
          source: refresh ? 'dashboard_refresh' : 'dashboard_open',
          dashboard_id: dashboard.id,
          widget_id: widget.id,
        },
      },
      { dashboard_name: dashboard.name, widget_title: widget.title },
    );
    const observedAt = new Date(now);
    await store.putResult(db, {
      cache_key: keys.cacheKey,
      workspace_id: ctx.workspaceId,
      dashboard_id: dashboard.id,
      widget_id: widget.id,
      run_id: run.id,
      observed_at: observedAt,
    });
    remember(keys.cacheKey, { run, observedAt });
    return answer(run, observedAt);
  }

  /** A platform_metric widget's figure, computed now (no cache: each is one small counting query). */
  async function resolveMetric(
    workspaceId: string,
    widget: Extract<StoredWidget, { widget_type: 'platform_metric' }>,
    filters: Record<string, unknown>,
  ): Promise<PlatformMetricResolution> {
    const metric = metricOf(widget.metric_key, widget.metric_version, ['path', 'wgt_id']);
    const binding = widget.filter_bindings.time;
    const [value, field] =
      binding?.mode === 'fixed'
        ? [binding.value, ['path', 'wgt_id', 'filter_bindings', 'time']]
        : binding?.mode === 'inherit'
          ? [filters[binding.filter_key], ['body', 'filter_values', binding.filter_key]]
          : [undefined, []];
    const window = windowOf(value, field);
    const computed = await metric.compute(deps.metrics, workspaceId, window);
    const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
    return {
      widget_id: widget.id,
      metric_key: widget.metric_key,
      metric_version: widget.metric_version,
      window: metric.windowed ? { from: seconds(window.from), to: seconds(window.to) } : null,
      value: computed,
      observed_at: seconds(new Date()),
    };
  }

  return {
    async resolve(
      ctx: { caller: Caller; workspaceId: string },
      dashboardId: string,
      widgetId: string,
      request: ResolveRequest,
    ): Promise<DashboardWidgetResultResolution | PlatformMetricResolution> {
      const dashboard = await store.findDashboard(db, ctx.workspaceId, dashboardId);
      if (!dashboard) throw notFound('dashboard', dashboardId);
      const widget = dashboard.widgets.find((w) => w.id === widgetId);
      if (!widget) throw notFound('widget', widgetId);
      const defined = new Set(dashboard.filter_definitions.map((f) => f.key));
      for (const key of Object.keys(request.filter_values ?? {})) {
        if (!defined.has(key))
          throw invalid(['body', 'filter_values', key], `this dashboard defines no filter ${key}`);
      }
      if (widget.widget_type === 'platform_metric') {
        const filters = { ...dashboard.default_filter_values, ...request.filter_values };
        return resolveMetric(ctx.workspaceId, widget, filters);
      }
      const snippet = await deps.lookupSnippet(ctx.workspaceId, widget.snippet_id);
      if (!snippet || snippet.archived)
        throw invalid(
          ['path', 'wgt_id'],
          `the snippet of widget ${widgetId} (${widget.snippet_id}) is ${snippet ? 'archived' : 'gone'}`,
        );
      const filters = { ...dashboard.default_filter_values, ...request.filter_values };
      const inputs = widgetInputs(widget, filters);
      const inputHash = hex(canonicalJson(inputs));
      const cacheKey = hex(
        canonicalJson({
          widget: widget.id,
          inputs: inputHash,
          snippet: snippet.etag,
          viewer: ctx.caller.subject,
        }),
      );
      const keys = { inputHash, cacheKey, snippetEtag: snippet.etag };
      const refresh = request.refresh === true;
      const flightKey = `${cacheKey}:${refresh}`;
      const running = inFlight.get(flightKey);
      if (running) return running;
      const flight = resolveKey(ctx, dashboard, widget, inputs, keys, refresh).finally(() =>
        inFlight.delete(flightKey),
      );
      inFlight.set(flightKey, flight);
      return flight;
    },
  };
}
