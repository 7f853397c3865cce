/**
 * Dashboards and their revisions: create, read, rename, delete, the workspace overview (made on first
 * read), a whole new definition as a revision, and restoring an old one. Every change goes through
 * commit.ts, so each one is exactly one immutable revision. Widgets are widgets.ts.
 */
import type { Kysely } from 'kysely';
import { newId } from '../db/ids.ts';
import { isUniqueViolation } from '../db/errors.ts';
import type { DB } from '../db/schema.ts';
import type { Caller } from '../http/context.ts';
import { aborted, failedPrecondition, invalid, notFound } from '../http/errors.ts';
import { assertIfMatch, etagOf } from '../http/etag.ts';
import { toPage, type Page, type PageRequest } from '../http/pagination.ts';
import { checkSnippets, commit, definitionOf, lookupOnce, type SnippetLookup } from './commit.ts';
import { MAX_WIDGETS, renumber } from './definition.ts';
import { toDashboard, toRevision, type RevisionDrift } from './resources.ts';
import type {
  CreateDashboardBody,
  CreateDashboardRevisionBody,
  Dashboard,
  DashboardRevision,
  DashboardRevisionMutationResponse,
  UpdateDashboardBody,
} from './schemas.ts';
import * as store from './store.ts';
import type { StoredWidget } from './tables.ts';
import { recommendedWidgets, widgetFromBody } from './widget-bodies.ts';

export type DashboardServiceDeps = { db: Kysely<DB>; publicUrl: string; lookupSnippet: SnippetLookup };
export type DashboardService = ReturnType<typeof createDashboardService>;

const OVERVIEW_NAME = 'Workspace overview';
const nowSeconds = () => Math.floor(Date.now() / 1000);

export function createDashboardService(deps: DashboardServiceDeps) {
  const { db, publicUrl, lookupSnippet } = deps;

  async function load(workspaceId: string, id: string): Promise<store.DashboardRow> {
    const row = await store.findDashboard(db, workspaceId, id);
    if (!row) throw notFound('dashboard', id);
    return row;
  }

  /** The drift of each snippet widget of a revision against its snippet today. */
  async function driftOf(
    lookup: SnippetLookup,
    workspaceId: string,
    revision: store.RevisionRow,
  ): Promise<RevisionDrift[]> {
    const drift: RevisionDrift[] = [];
    for (const widget of revision.definition.widgets) {
      if (widget.widget_type !== 'snippet') continue;
      const snippet = await lookup(workspaceId, widget.snippet_id);
      const state = !snippet ? 'missing' : snippet.archived ? 'archived' : 'active';
      drift.push({
        widget_id: widget.id,
        snippet_id: widget.snippet_id,
        snapshot_etag: revision.definition.snippet_etags[widget.id] ?? '',
        current_etag: snippet?.etag ?? null,
        current_state: state,
        restore_action: state === 'active' ? 'none' : 'blocked',
      });
    }
    return drift;
  }

  async function revisionOf(
    lookup: SnippetLookup,
    workspaceId: string,
    revision: store.RevisionRow,
  ): Promise<DashboardRevision> {
    return toRevision(revision, await driftOf(lookup, workspaceId, revision));
  }

  async function mutation(
    lookup: SnippetLookup,
    workspaceId: string,
    done: { dashboard: store.DashboardRow; revision: store.RevisionRow },
  ): Promise<DashboardRevisionMutationResponse> {
    return {
      ...(await revisionOf(lookup, workspaceId, done.revision)),
      dashboard_etag: String(done.dashboard.version),
    };
  }

  /** Inserts a dashboard with its first revision. */
  async function insert(
    lookup: SnippetLookup,
    workspaceId: string,
    caller: Caller,
    purpose: 'custom' | 'workspace_overview',
    name: string,
    description: string | null,
    widgets: StoredWidget[],
  ): Promise<store.DashboardRow> {
    const id = newId('dash');
    const revisionId = newId('drev');
    const definition = {
      name,
      description,
      purpose,
      filter_definitions: [],
      default_filter_values: {},
      widgets,
    };
    const fieldOf = (i: number) => ['body', 'widgets', String(i)];
    const snippetEtags = await checkSnippets(lookup, workspaceId, definition, fieldOf);
    return db.transaction().execute(async (trx) => {
      const row = await store.insertDashboard(trx, {
        id,
        workspace_id: workspaceId,
        purpose,
        name,
        description,
        filter_definitions: JSON.stringify([]),
        default_filter_values: JSON.stringify({}),
        widgets: JSON.stringify(widgets),
        active_revision_id: revisionId,
        created_by: caller.subject,
      });
      await store.insertRevision(trx, {
        id: revisionId,
        dashboard_id: id,
        workspace_id: workspaceId,
        parent_revision_id: null,
        restored_from_revision_id: null,
        source: purpose === 'workspace_overview' ? 'automatic' : 'manual',
        author_id: caller.subject,
        summary: null,
        definition: JSON.stringify({ ...definition, snippet_etags: snippetEtags }),
        structural_diff: null,
      });
      return row;
    });
  }

  /** Widgets from request bodies, in order (positions are their order), with fresh ids unless kept. */
  async function widgetsFrom(
    lookup: SnippetLookup,
    workspaceId: string,
    bodies: CreateDashboardBody['widgets'] | CreateDashboardRevisionBody['widgets'],
    keep: Map<string, StoredWidget>,
  ): Promise<StoredWidget[]> {
    const list = bodies ?? [];
    if (list.length > MAX_WIDGETS)
      throw invalid(['body', 'widgets'], `a dashboard holds at most ${MAX_WIDGETS} widgets`);
    const now = nowSeconds();
    const widgets: StoredWidget[] = [];
    for (const [i, body] of list.entries()) {
      widgets.push(
        await widgetFromBody(lookup, workspaceId, body, keep, now, ['body', 'widgets', String(i)]),
      );
    }
    const ids = new Set(widgets.map((w) => w.id));
    if (ids.size !== widgets.length)
      throw invalid(['body', 'widgets'], 'a widget_id appears twice; each widget is listed once');
    return renumber(widgets);
  }

  return {
    async create(
      workspaceId: string,
      caller: Caller,
      body: CreateDashboardBody,
    ): Promise<{ dashboard_id: string }> {
      const lookup = lookupOnce(lookupSnippet);
      const widgets = await widgetsFrom(lookup, workspaceId, body.widgets, new Map());
      const row = await insert(
        lookup,
        workspaceId,
        caller,
        'custom',
        body.name,
        body.description ?? null,
        widgets,
      );
      return { dashboard_id: row.id };
    },

    async list(workspaceId: string, page: PageRequest): Promise<Page<Dashboard>> {
      const rows = await store.listDashboards(db, workspaceId, page);
      return toPage(rows, page, (r) => toDashboard(r, publicUrl));
    },

    async get(workspaceId: string, id: string): Promise<Dashboard> {
      return toDashboard(await load(workspaceId, id), publicUrl);
    },

    /** The workspace's one overview, made (empty, with its first revision) on first read. */
    async overview(workspaceId: string, caller: Caller): Promise<Dashboard> {
      let row = await store.findOverview(db, workspaceId);
      if (!row) {
        try {
          row = await insert(
            lookupSnippet,
            workspaceId,
            caller,
            'workspace_overview',
            OVERVIEW_NAME,
            null,
            [],
          );
        } catch (error) {
          if (!isUniqueViolation(error, 'dashboards_one_overview')) throw error;
          row = await store.findOverview(db, workspaceId);
        }
      }
      return toDashboard(row!, publicUrl);
    },

    async update(
      workspaceId: string,
      caller: Caller,
      id: string,
      ifMatch: string,
      body: UpdateDashboardBody,
    ): Promise<{ dashboard_id: string; etag: string }> {
      const row = await load(workspaceId, id);
      assertIfMatch('dashboard', ifMatch, row.version);
      const next = {
        ...definitionOf(row),
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.description !== undefined ? { description: body.description } : {}),
      };
      // Nothing to change: no revision, the etag stays (as for an empty snippet patch).
      if (next.name === row.name && next.description === row.description)
        return { dashboard_id: id, etag: etagOf(row.version) };
      const done = await commit(db, lookupSnippet, row, next, {
        source: 'manual',
        summary: null,
        authorId: caller.subject,
        fieldOf: (i) => ['body', 'widgets', String(i)],
      });
      return { dashboard_id: id, etag: String(done.dashboard.version) };
    },

    async delete(workspaceId: string, id: string, ifMatch: string): Promise<void> {
      const row = await load(workspaceId, id);
      assertIfMatch('dashboard', ifMatch, row.version);
      if (row.purpose === 'workspace_overview') {
        throw failedPrecondition(
          'the workspace overview is shared by everyone in the workspace and cannot be deleted; change its widgets instead',
        );
      }
      if (await store.markDeleted(db, id, row.version)) return;
      // Someone wrote (or deleted it) between the read and the delete: their version wins.
      throw aborted('dashboard', etagOf((await load(workspaceId, id)).version));
    },

    async listRevisions(
      workspaceId: string,
      id: string,
      page: PageRequest,
    ): Promise<Page<DashboardRevision>> {
      await load(workspaceId, id);
      const rows = await store.listRevisions(db, id, page);
      const served = rows.slice(0, page.limit);
      const mapped = new Map<string, DashboardRevision>();
      // Revisions mostly name the same snippets: each is read once for the page.
      const lookup = lookupOnce(lookupSnippet);
      for (const r of served) mapped.set(r.id, await revisionOf(lookup, workspaceId, r));
      return toPage(rows, page, (r) => mapped.get(r.id)!);
    },

    async getRevision(workspaceId: string, id: string, revisionId: string): Promise<DashboardRevision> {
      await load(workspaceId, id);
      const revision = await store.findRevision(db, id, revisionId);
      if (!revision) throw notFound('dashboard revision', revisionId);
      return revisionOf(lookupSnippet, workspaceId, revision);
    },

    /** A whole new definition, as one revision. */
    async createRevision(
      workspaceId: string,
      caller: Caller,
      id: string,
      ifMatch: string,
      body: CreateDashboardRevisionBody,
    ): Promise<DashboardRevisionMutationResponse> {
      const row = await load(workspaceId, id);
      assertIfMatch('dashboard', ifMatch, row.version);
      const keep = new Map(row.widgets.map((w) => [w.id, w]));
      const lookup = lookupOnce(lookupSnippet);
      const widgets = await widgetsFrom(lookup, workspaceId, body.widgets, keep);
      const done = await commit(
        db,
        lookup,
        row,
        {
          name: body.name,
          description: body.description,
          purpose: row.purpose,
          filter_definitions: body.filter_definitions,
          default_filter_values: body.default_filter_values,
          widgets,
        },
        {
          source: 'manual',
          summary: body.summary ?? null,
          authorId: caller.subject,
          fieldOf: (i) => ['body', 'widgets', String(i)],
        },
      );
      return mutation(lookup, workspaceId, done);
    },

    /**
     * Replaces the widgets with Atoll's recommended ones (platform metrics), adding the `time` filter
     * they follow when the dashboard has none; one revision (source `reset`).
     */
    async resetToRecommended(
      workspaceId: string,
      caller: Caller,
      id: string,
      ifMatch: string,
    ): Promise<DashboardRevisionMutationResponse> {
      const row = await load(workspaceId, id);
      assertIfMatch('dashboard', ifMatch, row.version);
      const lookup = lookupOnce(lookupSnippet);
      const current = definitionOf(row);
      const filters = current.filter_definitions.some((f) => f.key === 'time')
        ? current.filter_definitions
        : [{ kind: 'time' as const, key: 'time' as const, label: 'Time' }, ...current.filter_definitions];
      const done = await commit(
        db,
        lookup,
        row,
        { ...current, filter_definitions: filters, widgets: recommendedWidgets(nowSeconds()) },
        {
          source: 'reset',
          summary: 'Reset to the recommended widgets',
          authorId: caller.subject,
          fieldOf: () => ['body'],
        },
      );
      return mutation(lookup, workspaceId, done);
    },

    /** The definition of an old revision, as a new revision. */
    async restoreRevision(
      workspaceId: string,
      caller: Caller,
      id: string,
      revisionId: string,
      ifMatch: string,
      summary: string | undefined,
    ): Promise<DashboardRevisionMutationResponse> {
      const row = await load(workspaceId, id);
      assertIfMatch('dashboard', ifMatch, row.version);
      const revision = await store.findRevision(db, id, revisionId);
      if (!revision) throw notFound('dashboard revision', revisionId);
      const lookup = lookupOnce(lookupSnippet);
      const blocked = (await driftOf(lookup, workspaceId, revision)).filter(
        (d) => d.restore_action === 'blocked',
      );
      if (blocked.length > 0) {
        throw failedPrecondition(
          `revision ${revisionId} uses snippets that are ${blocked.map((d) => `${d.current_state} (${d.snippet_id}, widget ${d.widget_id})`).join(', ')}; a restored dashboard could not run them`,
        );
      }
      const { snippet_etags: _, ...definition } = revision.definition;
      const now = nowSeconds();
      const widgets = definition.widgets.map((w) => ({
        ...w,
        version: (row.widgets.find((c) => c.id === w.id)?.version ?? 0) + 1,
        updated_at: now,
      }));
      const done = await commit(
        db,
        lookup,
        row,
        { ...definition, purpose: row.purpose, widgets },
        {
          source: 'restore',
          summary: summary ?? null,
          authorId: caller.subject,
          restoredFromRevisionId: revisionId,
          fieldOf: (i) => ['path', 'revision_id', 'widgets', String(i)],
        },
      );
      return mutation(lookup, workspaceId, done);
    },
  };
}
