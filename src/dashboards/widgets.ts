/**
 * A dashboard's widgets, one at a time: add (at a position, others shifted), read, change, remove.
 * Each change is a revision of the whole dashboard (commit.ts), so widget edits show in the history
 * and can be restored like any other. A widget's etag is its own version; if-match on a widget write
 * names it.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Caller } from '../http/context.ts';
import { invalid, notFound } from '../http/errors.ts';
import { assertIfMatch } from '../http/etag.ts';
import { canonicalJson } from '../lib/canonical-json.ts';
import { toPage, type PageRequest } from '../http/pagination.ts';
import { commit, definitionOf, lookupOnce, touched, type SnippetLookup } from './commit.ts';
import { place, renumber, type SnippetWidgetInput } from './definition.ts';
import { toWidget } from './resources.ts';
import type {
  CreateDashboardWidgetBody,
  UpdateDashboardWidgetBody,
  Widget,
  WidgetList,
} from './widget-schemas.ts';
import * as store from './store.ts';
import type { StoredWidget } from './tables.ts';
import { checkMetricWidget, widgetFromBody } from './widget-bodies.ts';

export type WidgetService = ReturnType<typeof createWidgetService>;

const nowSeconds = () => Math.floor(Date.now() / 1000);

export function createWidgetService(deps: { db: Kysely<DB>; lookupSnippet: SnippetLookup }) {
  const { db, lookupSnippet } = deps;

  async function load(workspaceId: string, id: string): Promise<store.DashboardRow> {
    const row = await store.findDashboard(db, workspaceId, id);
    if (!row) throw notFound('dashboard', id);
    return row;
  }

  function find(row: store.DashboardRow, widgetId: string): StoredWidget {
    const widget = row.widgets.find((w) => w.id === widgetId);
    if (!widget) throw notFound('widget', widgetId);
    return widget;
  }

  /** Commits `widgets` as the dashboard's, one revision, with a generated summary. */
  async function save(
    row: store.DashboardRow,
    caller: Caller,
    widgets: StoredWidget[],
    summary: string,
    lookup: SnippetLookup = lookupSnippet,
  ) {
    return commit(
      db,
      lookup,
      row,
      { ...definitionOf(row), widgets },
      {
        source: 'manual',
        summary,
        authorId: caller.subject,
        fieldOf: () => ['body'],
      },
    );
  }

  return {
    /** The widgets in position order; the cursor counts down from the last position (toPage's seq). */
    async list(workspaceId: string, id: string, page: PageRequest): Promise<WidgetList> {
      const row = await load(workspaceId, id);
      const n = row.widgets.length;
      const rows = row.widgets
        .map((w) => ({ seq: n - w.position, w }))
        .filter((r) => page.before === undefined || r.seq < page.before)
        .slice(0, page.limit + 1);
      return toPage(rows, page, (r) => toWidget(id, r.w));
    },

    async get(workspaceId: string, id: string, widgetId: string): Promise<Widget> {
      const row = await load(workspaceId, id);
      return toWidget(id, find(row, widgetId));
    },

    async create(
      workspaceId: string,
      caller: Caller,
      id: string,
      body: CreateDashboardWidgetBody,
    ): Promise<Widget> {
      const row = await load(workspaceId, id);
      // The new widget's snippet is read once, for the widget and for the commit's check.
      const lookup = lookupOnce(lookupSnippet);
      const widget = await widgetFromBody(lookup, workspaceId, body, new Map(), nowSeconds(), ['body']);
      const widgets = place(row.widgets, widget, body.position, ['body', 'position']);
      const done = await save(row, caller, widgets, `Add widget ${widget.id}`, lookup);
      return toWidget(id, find(done.dashboard, widget.id));
    },

    async update(
      workspaceId: string,
      caller: Caller,
      id: string,
      widgetId: string,
      ifMatch: string | undefined,
      body: UpdateDashboardWidgetBody,
    ): Promise<Widget> {
      const row = await load(workspaceId, id);
      const current = find(row, widgetId);
      if (ifMatch !== undefined) assertIfMatch('widget', ifMatch, current.version);
      const patch = body as Record<string, unknown> & { widget_type?: string; position?: number };
      if (patch.widget_type !== undefined && patch.widget_type !== current.widget_type) {
        throw invalid(
          ['body', 'widget_type'],
          `widget ${widgetId} is a ${current.widget_type} widget; its type cannot change`,
        );
      }
      const { position, widget_type: _, ...fields } = patch;
      const changed = { ...current, ...(fields as Partial<SnippetWidgetInput>) } as StoredWidget;
      if (changed.widget_type === 'platform_metric') checkMetricWidget(changed, ['body']);
      if (
        canonicalJson(changed) === canonicalJson(current) &&
        (position ?? current.position) === current.position
      )
        return toWidget(id, current);
      const next = touched(changed, nowSeconds());
      const widgets =
        position === undefined
          ? renumber(row.widgets.map((w) => (w.id === widgetId ? next : w)))
          : place(row.widgets, next, position, ['body', 'position']);
      const done = await save(row, caller, widgets, `Change widget ${widgetId}`);
      return toWidget(id, find(done.dashboard, widgetId));
    },

    async delete(
      workspaceId: string,
      caller: Caller,
      id: string,
      widgetId: string,
      ifMatch: string | undefined,
    ): Promise<void> {
      const row = await load(workspaceId, id);
      const current = find(row, widgetId);
      if (ifMatch !== undefined) assertIfMatch('widget', ifMatch, current.version);
      await save(
        row,
        caller,
        renumber(row.widgets.filter((w) => w.id !== widgetId)),
        `Remove widget ${widgetId}`,
      );
    },
  };
}
