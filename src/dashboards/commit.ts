/**
 * The one way a dashboard changes: the new definition is checked (its snippet widgets name usable
 * snippets of the workspace, bindings name defined filters and real inputs), written as an immutable
 * revision, and made the dashboard's state, in one transaction that only commits if the dashboard is
 * still at the version the change was made from (409 otherwise, and nothing is written).
 */
import type { Kysely } from 'kysely';
import { newId } from '../db/ids.ts';
import type { DB } from '../db/schema.ts';
import { ApiError, invalid } from '../http/errors.ts';
import { etagOf } from '../http/etag.ts';
import { checkBindings, structuralDiff } from './definition.ts';
import type { DashboardRevisionSource } from './schemas.ts';
import * as store from './store.ts';
import type { DashboardDefinition, StoredWidget } from './tables.ts';

/** What dashboards need to know of a snippet (snippets/module.ts lookupSnippet). */
export type SnippetFacts = {
  id: string;
  etag: string;
  archived: boolean;
  visibility: 'workspace' | 'session';
  display_type: 'table' | 'stat' | 'json' | 'logs' | 'timeseries';
  inputKeys: string[];
};

export type SnippetLookup = (workspaceId: string, snippetId: string) => Promise<SnippetFacts | undefined>;

/**
 * The lookup, each snippet read once: for the span of one operation, which checks a snippet when it
 * builds a widget, again when it commits, and again for the drift it answers with.
 */
export function lookupOnce(lookup: SnippetLookup): SnippetLookup {
  const seen = new Map<string, Promise<SnippetFacts | undefined>>();
  return (workspaceId, snippetId) => {
    const key = `${workspaceId}/${snippetId}`;
    let found = seen.get(key);
    if (!found) seen.set(key, (found = lookup(workspaceId, snippetId)));
    return found;
  };
}

export type Change = {
  source: DashboardRevisionSource;
  summary: string | null;
  authorId: string;
  restoredFromRevisionId?: string | null;
  /** Where each widget of the definition came from in the request, for error paths. */
  fieldOf(index: number): string[];
};

/** The current etags of the snippets a definition's widgets use; 422 for one that cannot be used. */
export async function checkSnippets(
  lookup: SnippetLookup,
  workspaceId: string,
  definition: Omit<DashboardDefinition, 'snippet_etags'>,
  fieldOf: (index: number) => string[],
): Promise<Record<string, string>> {
  const etags: Record<string, string> = {};
  for (const [index, widget] of definition.widgets.entries()) {
    if (widget.widget_type !== 'snippet') continue;
    const field = fieldOf(index);
    const snippet = await lookup(workspaceId, widget.snippet_id);
    if (!snippet)
      throw invalid([...field, 'snippet_id'], `snippet ${widget.snippet_id} not found in this workspace`);
    if (snippet.archived)
      throw invalid(
        [...field, 'snippet_id'],
        `snippet ${widget.snippet_id} is archived; an archived snippet cannot feed a widget`,
      );
    if (definition.purpose === 'workspace_overview' && snippet.visibility !== 'workspace') {
      throw invalid(
        [...field, 'snippet_id'],
        `snippet ${widget.snippet_id} is scoped to an agent session; the workspace overview, which everyone in the workspace sees, takes only workspace snippets`,
      );
    }
    if (widget.snippet_etag !== null && widget.snippet_etag !== snippet.etag) {
      throw invalid(
        [...field, 'snippet_etag'],
        `snippet_etag ${widget.snippet_etag} is not snippet ${widget.snippet_id}'s current etag (${snippet.etag}); Atoll keeps only a snippet's current version, so pin the current etag or send null to follow it`,
      );
    }
    for (const input of Object.keys(widget.input_bindings)) {
      if (!snippet.inputKeys.includes(input)) {
        throw invalid(
          [...field, 'input_bindings', input],
          `snippet ${widget.snippet_id} has no input ${input}${snippet.inputKeys.length > 0 ? ` (its inputs: ${snippet.inputKeys.join(', ')})` : ' (it takes no inputs)'}`,
        );
      }
    }
    etags[widget.id] = snippet.etag;
  }
  checkBindings(definition.widgets, definition.filter_definitions, (index, kind, key) => [
    ...fieldOf(index),
    kind,
    key,
  ]);
  return etags;
}

/** Writes `next` as a new revision and the dashboard's state; the updated row and the revision. */
export async function commit(
  db: Kysely<DB>,
  lookup: SnippetLookup,
  dashboard: store.DashboardRow,
  next: Omit<DashboardDefinition, 'snippet_etags'>,
  change: Change,
): Promise<{ dashboard: store.DashboardRow; revision: store.RevisionRow }> {
  const snippetEtags = await checkSnippets(lookup, dashboard.workspace_id, next, change.fieldOf);
  return db.transaction().execute(async (trx) => {
    const parent = await store.findRevision(trx, dashboard.id, dashboard.active_revision_id);
    const definition: DashboardDefinition = { ...next, snippet_etags: snippetEtags };
    const revision = await store.insertRevision(trx, {
      id: newId('drev'),
      dashboard_id: dashboard.id,
      workspace_id: dashboard.workspace_id,
      parent_revision_id: dashboard.active_revision_id,
      restored_from_revision_id: change.restoredFromRevisionId ?? null,
      source: change.source,
      author_id: change.authorId,
      summary: change.summary,
      definition: JSON.stringify(definition),
      structural_diff: JSON.stringify(structuralDiff(parent?.definition, definition)),
    });
    const updated = await store.setDefinition(trx, dashboard.id, dashboard.version, next, revision.id);
    if (!updated) {
      throw new ApiError('ABORTED', {
        message: `dashboard ${dashboard.id} changed while this change was being written; read it again and retry`,
        path: ['header', 'if-match'],
        metadata: { etag: etagOf(dashboard.version + 1) },
      });
    }
    return { dashboard: updated, revision };
  });
}

/** The definition a dashboard row holds now. */
export function definitionOf(row: store.DashboardRow): Omit<DashboardDefinition, 'snippet_etags'> {
  return {
    name: row.name,
    description: row.description,
    purpose: row.purpose,
    filter_definitions: row.filter_definitions,
    default_filter_values: row.default_filter_values,
    widgets: row.widgets,
  };
}

/** A widget's version bumped, for a widget a change touched. */
export function touched(widget: StoredWidget, now: number): StoredWidget {
  return { ...widget, version: widget.version + 1, updated_at: now };
}
