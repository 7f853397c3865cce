/**
 * Snippet usage (snippets.getUsage, snippets.listUsage; Akua `SnippetUsage`, `SnippetUsageList`): the
 * dashboards that use a snippet (asked of the dashboards family through `DashboardsOfSnippets`, which
 * the composition root wires) and, as an Atoll extension, how often it ran and its newest run, from the
 * recorded runs (docs/snippets.md "Usage").
 */
import { z } from '@hono/zod-openapi';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { unixSeconds } from '../db/time.ts';
import { notFound } from '../http/errors.ts';
import { listOf, UnixSeconds } from '../http/schemas.ts';
import { toPage, type Page, type PageRequest } from '../http/pagination.ts';
import { RunSource, RunState } from './run-schemas.ts';
import * as store from './store.ts';

const SnippetUsageDashboard = z
  .object({
    id: z.string().min(1).max(55),
    name: z.string(),
    description: z.string().nullable(),
    workspace_id: z.string().min(1).max(53),
  })
  .openapi('SnippetUsageDashboard');

export const SnippetUsage = z
  .object({
    snippet_id: z.string().min(1).max(54),
    dashboard_count: z.number().int().min(0),
    dashboards: z.array(SnippetUsageDashboard),
    run_count: z
      .number()
      .int()
      .min(0)
      .openapi({ description: 'Atoll: how many runs the snippet has recorded.' }),
    last_run: z
      .object({ id: z.string(), state: RunState, source: RunSource, created_at: UnixSeconds })
      .nullable()
      .openapi({ description: 'Atoll: the newest recorded run of the snippet (null before any).' }),
  })
  .openapi('SnippetUsage');
export type SnippetUsage = z.infer<typeof SnippetUsage>;

export const SnippetUsageList = listOf(SnippetUsage, 'SnippetUsageList');

/** For each snippet, the dashboards (not deleted) of the workspace with a widget of it, oldest first. */
export type DashboardsOfSnippets = (
  workspaceId: string,
  snippetIds: string[],
) => Promise<Map<string, SnippetUsageDashboard[]>>;
export type SnippetUsageDashboard = z.infer<typeof SnippetUsageDashboard>;

function toUsage(row: store.SnippetUsageRow, dashboards: SnippetUsageDashboard[]): SnippetUsage {
  return {
    snippet_id: row.id,
    dashboard_count: dashboards.length,
    dashboards,
    run_count: row.run_count,
    last_run:
      row.last_run_id && row.last_run_state && row.last_run_source && row.last_run_at
        ? {
            id: row.last_run_id,
            state: row.last_run_state,
            source: row.last_run_source,
            created_at: unixSeconds(row.last_run_at),
          }
        : null,
  };
}

export type SnippetUsageService = ReturnType<typeof createSnippetUsageService>;

export function createSnippetUsageService({
  db,
  dashboards,
}: {
  db: Kysely<DB>;
  dashboards: DashboardsOfSnippets;
}) {
  return {
    /** The usage of one snippet of the workspace, archived ones included (as for GET). */
    async get(workspaceId: string, id: string): Promise<SnippetUsage> {
      const row = await store.findSnippetUsage(db, workspaceId, id);
      if (!row) throw notFound('snippet', id);
      return toUsage(row, (await dashboards(workspaceId, [id])).get(id) ?? []);
    },

    /** The usage of the workspace's active snippets, in the order of GET /v1/snippets. */
    async list(workspaceId: string, page: PageRequest): Promise<Page<SnippetUsage>> {
      const rows = await store.listSnippetUsage(db, workspaceId, page);
      // One query for the page, not one per snippet.
      const using = await dashboards(
        workspaceId,
        rows.slice(0, page.limit).map((row) => row.id),
      );
      return toPage(rows, page, (row) => toUsage(row, using.get(row.id) ?? []));
    },
  };
}
