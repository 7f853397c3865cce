/**
 * Snippets: create, list (active ones), get (archived ones too), update (if-match; partial; the result
 * contract stays all-or-none), archive (if-match; idempotent) and the read side of their runs. The
 * executor loads a snippet with `getForRun` and records what happened with `recordRun` (store.ts),
 * serving it with `toSnippetRun` (resources.ts).
 */
import type { Kysely } from 'kysely';
import { newId } from '../db/ids.ts';
import type { DB } from '../db/schema.ts';
import type { Caller } from '../http/context.ts';
import { aborted, failedPrecondition, invalid, notFound } from '../http/errors.ts';
import { assertIfMatch, etagOf } from '../http/etag.ts';
import { toPage, type Page, type PageRequest } from '../http/pagination.ts';
import { checkAgentRefs, type AgentLookups } from './agent-refs.ts';
import { CONTRACT_FIELDS, type ResultContractTrio } from './contract.ts';
import { assertDescriptors } from './inputs.ts';
import { toSnippet, toSnippetRun } from './resources.ts';
import type { RunFilters } from './store.ts';
import * as store from './store.ts';
import type { DashboardsOfSnippets } from './usage.ts';
import type { RunView, SnippetRun } from './run-schemas.ts';
import type { CreateSnippetBody, Snippet, UpdateSnippetBody } from './schemas.ts';

export type SnippetServiceDeps = {
  db: Kysely<DB>;
  publicUrl: string;
  /** The dashboards that use a snippet (an archived snippet could not feed them). */
  dashboards: DashboardsOfSnippets;
} & AgentLookups;

export type SnippetService = ReturnType<typeof createSnippetService>;

export function createSnippetService(deps: SnippetServiceDeps) {
  const { db, publicUrl } = deps;
  const wire = (row: store.SnippetRow) => toSnippet(row, publicUrl);

  /** The workspace's snippet (archived or not), or 404. */
  async function load(workspaceId: string, id: string): Promise<store.SnippetRow> {
    const row = await store.findSnippet(db, workspaceId, id);
    if (!row) throw notFound('snippet', id);
    return row;
  }

  return {
    async create(workspaceId: string, caller: Caller, body: CreateSnippetBody): Promise<Snippet> {
      const inputs = body.inputs ?? [];
      assertDescriptors(inputs);
      await checkAgentRefs(deps, workspaceId, body);
      const row = await store.insertSnippet(db, {
        id: newId('snp'),
        workspace_id: workspaceId,
        name: body.name,
        description: body.description ?? null,
        code: body.code,
        display_type: body.display_type,
        inputs: JSON.stringify(inputs),
        visibility: body.visibility ?? 'workspace',
        origin: body.origin ?? 'user',
        purpose: body.purpose ?? 'general',
        agent_session_id: body.agent_session_id ?? null,
        agent_turn_id: body.agent_turn_id ?? null,
        created_by: caller.subject,
        ...('result_contract_version' in body
          ? {
              result_contract_version: body.result_contract_version,
              result_type: body.result_type,
              default_visualization: body.default_visualization,
            }
          : { result_contract_version: null, result_type: null, default_visualization: null }),
      });
      return wire(row);
    },

    /** The active snippets, or with `archived` the archived ones; newest first either way. */
    async list(workspaceId: string, page: PageRequest, archived = false): Promise<Page<Snippet>> {
      return toPage(await store.listSnippets(db, workspaceId, page, archived), page, wire);
    },

    async get(workspaceId: string, id: string): Promise<Snippet> {
      return wire(await load(workspaceId, id));
    },

    async update(
      workspaceId: string,
      id: string,
      ifMatch: string,
      body: UpdateSnippetBody,
    ): Promise<Snippet> {
      const current = await load(workspaceId, id);
      assertIfMatch('snippet', ifMatch, current.version);
      if (current.archived_at !== null) {
        throw failedPrecondition(`snippet ${id} is archived; archived snippets cannot be changed`);
      }
      const { inputs, ...fields } = body;
      if (inputs !== undefined) assertDescriptors(inputs);
      const patch: store.SnippetPatch = Object.fromEntries(
        Object.entries(fields).filter(([, v]) => v !== undefined),
      );
      if (inputs !== undefined) patch.inputs = JSON.stringify(inputs);
      assertContractKept(current, patch);
      if (Object.keys(patch).length === 0) return wire(current);
      const updated = await store.updateSnippet(db, workspaceId, id, current.version, patch);
      if (updated) return wire(updated);
      // Someone else wrote (or archived) between our read and our write: their version wins.
      throw aborted('snippet', etagOf((await load(workspaceId, id)).version));
    },

    /** Archives the snippet; archiving an archived snippet succeeds again, whatever its if-match. */
    async archive(workspaceId: string, id: string, ifMatch: string): Promise<void> {
      const current = await load(workspaceId, id);
      if (current.archived_at !== null) return;
      assertIfMatch('snippet', ifMatch, current.version);
      const using = (await deps.dashboards(workspaceId, [id])).get(id) ?? [];
      if (using.length > 0) {
        throw failedPrecondition(
          `snippet ${id} feeds widgets of ${using.length === 1 ? 'dashboard' : 'dashboards'} ${using.map((d) => `${d.id} (${d.name})`).join(', ')}; remove those widgets first`,
        );
      }
      if (await store.archiveSnippet(db, workspaceId, id, current.version)) return;
      // Lost a race: fine if the other writer archived it too, else their version wins.
      const latest = await load(workspaceId, id);
      if (latest.archived_at !== null) return;
      throw aborted('snippet', etagOf(latest.version));
    },

    /**
     * The snippet row to execute, archived or not (the caller decides whether an archived snippet may
     * run); 404 when the workspace has no snippet with this id.
     */
    getForRun: load,

    /** Runs of one snippet of the workspace (404 when the snippet is not the workspace's). */
    async listSnippetRuns(
      workspaceId: string,
      snippetId: string,
      filters: Pick<RunFilters, 'state'>,
      view: RunView,
      page: PageRequest,
    ): Promise<Page<SnippetRun>> {
      await load(workspaceId, snippetId);
      const rows = await store.listRuns(db, workspaceId, { ...filters, snippetId }, view, page);
      return toPage(rows, page, (row) => toSnippetRun(row, view));
    },

    async getSnippetRun(workspaceId: string, snippetId: string, runId: string): Promise<SnippetRun> {
      const row = await store.findRun(db, workspaceId, runId, snippetId);
      if (!row) throw notFound('snippet run', runId);
      return toSnippetRun(row, 'full');
    },

    /** The workspace's run history, newest first. */
    async listRuns(
      workspaceId: string,
      filters: RunFilters,
      view: RunView,
      page: PageRequest,
    ): Promise<Page<SnippetRun>> {
      const rows = await store.listRuns(db, workspaceId, filters, view, page);
      return toPage(rows, page, (row) => toSnippetRun(row, view));
    },

    /** A run of the workspace in full, or undefined (a dashboard's cached result whose run is gone). */
    async findRun(workspaceId: string, runId: string): Promise<SnippetRun | undefined> {
      const row = await store.findRun(db, workspaceId, runId);
      return row ? toSnippetRun(row, 'full') : undefined;
    },

    async getRun(workspaceId: string, runId: string): Promise<SnippetRun> {
      const row = await store.findRun(db, workspaceId, runId);
      if (!row) throw notFound('snippet run', runId);
      return toSnippetRun(row, 'full');
    },
  };
}

/**
 * A patch may add a result contract (all three fields) or retune one (result_type,
 * default_visualization), never leave it half set: 422 naming each field the patch would leave null.
 */
function assertContractKept(current: ResultContractTrio, patch: store.SnippetPatch): void {
  const missing = CONTRACT_FIELDS.filter((f) => (patch[f] !== undefined ? patch[f] : current[f]) === null);
  if (missing.length === 0 || missing.length === CONTRACT_FIELDS.length) return;
  const [first, ...more] = missing.map((f) => ({
    path: ['body', f],
    message: `${f} is required: this snippet has no result contract, and a contract sets result_contract_version, result_type and default_visualization together`,
  }));
  throw invalid(first!.path, first!.message, { more });
}
