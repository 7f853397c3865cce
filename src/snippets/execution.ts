/**
 * Running snippets: a persisted run of a stored snippet (POST /v1/snippets/{id}/runs), and the
 * unpersisted executions of a stored snippet or of ad-hoc code (`:execute`). Inputs are validated against
 * the snippet's descriptors before any code runs; the code runs in a fresh isolate with platform.request()
 * acting as the caller in the caller's workspace; a snippet with a result contract has its output
 * checked against it; the run is written once, when it has ended.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Caller } from '../http/context.ts';
import { failedPrecondition, invalid } from '../http/errors.ts';
import { etagOf } from '../http/etag.ts';
import type { Executor } from '../isolate/executor.ts';
import type { Lineage } from '../isolate/platform-bridge.ts';
import type { ExecutionOutcome, LogEntry } from '../isolate/types.ts';
import type { AgentTurnLookup } from './agent-refs.ts';
import { checkResultContract, contractFields, type ResultContractTrio } from './contract.ts';
import { validateRunInputs } from './inputs.ts';
import type {
  CreateSnippetRunBody,
  ExecuteSnippetResponse,
  RunLogEntry,
  RunSource,
  SnippetRun,
  SnippetRunError,
} from './run-schemas.ts';
import { admitNested, type NestingGate } from './nesting.ts';
import { toSnippetRun } from './resources.ts';
import type { SnippetService } from './service.ts';
import { recordRunAndNotify } from './run-notice.ts';
import { recordRun, type NewSnippetRun, type SnippetRow, type SnippetRunRow } from './store.ts';

/**
 * Records a row and announces it as an event of an agent turn in one transaction (the events domain).
 * A run started for a turn is announced as widget.created.
 */
export type { AgentTurnLookup };

export type TurnAnnouncer = <R>(input: {
  workspaceId: string;
  turnId: string;
  type: 'widget.created';
  write: (trx: Transaction<DB>) => Promise<R>;
  data: (row: R) => unknown;
}) => Promise<R>;

export type ExecutionDeps = {
  db: Kysely<DB>;
  executor: Executor;
  snippets: SnippetService;
  agentTurns: AgentTurnLookup;
  announce: TurnAnnouncer;
  nesting: NestingGate;
};

/**
 * Who runs, where, and, for an execution a running snippet started through platform.request(), its
 * lineage (set in-process by the platform bridge, never from a request header).
 */
export type RunContext = { caller: Caller; workspaceId: string; lineage?: Lineage };

export type ExecutionService = ReturnType<typeof createExecutionService>;

export function createExecutionService(deps: ExecutionDeps) {
  const { executor, snippets } = deps;

  async function execute(
    ctx: RunContext,
    code: string,
    inputs: Record<string, unknown>,
  ): Promise<ExecutionOutcome> {
    const lineage = ctx.lineage ?? { tree: randomUUID(), depth: 0 };
    const nested = lineage.depth > 0;
    const release = nested ? admitNested(deps.nesting, lineage, ctx.workspaceId) : undefined;
    try {
      return await executor.run({
        code,
        inputs,
        workspaceId: ctx.workspaceId,
        nested,
        platform: { secret: ctx.caller.secret, workspaceId: ctx.workspaceId, lineage },
      });
    } finally {
      release?.();
    }
  }

  async function runnable(ctx: RunContext, snippetId: string): Promise<SnippetRow> {
    const snippet = await snippets.getForRun(ctx.workspaceId, snippetId);
    if (snippet.archived_at !== null) {
      throw failedPrecondition(`snippet ${snippetId} is archived; archived snippets cannot run`, {
        code: 'snippet_archived',
      });
    }
    return snippet;
  }

  return {
    /**
     * Executes a stored snippet and records the run. `labels` name the dashboard and widget of a run
     * that a dashboard started (dashboards/results.ts), recorded as dashboard_name and widget_title.
     */
    async run(
      ctx: RunContext,
      snippetId: string,
      body: CreateSnippetRunBody,
      labels?: { dashboard_name: string; widget_title: string | null },
    ): Promise<SnippetRun> {
      const snippet = await runnable(ctx, snippetId);
      const context = body.context;
      const contextTurn = context?.source === 'agent' ? context.agent_turn_id : undefined;
      if (
        body.agent_turn_id !== undefined &&
        contextTurn !== undefined &&
        body.agent_turn_id !== contextTurn
      ) {
        throw invalid(
          ['body', 'context', 'agent_turn_id'],
          'context.agent_turn_id must match agent_turn_id when both are given',
        );
      }
      const turnId = body.agent_turn_id ?? contextTurn ?? null;
      const sessionId = turnId === null ? null : await agentSession(deps, ctx.workspaceId, turnId);
      const inputs = validateRunInputs(snippet.inputs, body.inputs);
      const outcome = await execute(ctx, snippet.code, inputs);
      const result = judge(snippet, outcome);
      const source: RunSource = context?.source ?? (turnId !== null ? 'agent' : 'manual');
      const dashboard =
        context?.source === 'dashboard_open' || context?.source === 'dashboard_refresh' ? context : undefined;
      const run: NewSnippetRun = {
        workspace_id: ctx.workspaceId,
        snippet_id: snippet.id,
        source,
        snippet_name: snippet.name,
        snippet_etag: etagOf(snippet.version),
        dashboard_id: dashboard?.dashboard_id ?? null,
        dashboard_name: dashboard ? (labels?.dashboard_name ?? null) : null,
        widget_id: dashboard?.widget_id ?? null,
        widget_title: dashboard ? (labels?.widget_title ?? null) : null,
        run_by: ctx.caller.subject,
        agent_session_id: sessionId,
        agent_turn_id: turnId,
        state: result.state,
        inputs,
        overrides: body.overrides ?? {},
        output: result.output,
        error: result.error,
        duration_ms: round(outcome.stats.wall_time_ms),
        stats: roundStats(outcome.stats),
        logs: outcome.logs.map(toRunLog),
        logs_dropped: outcome.logsDropped,
        result_contract_version: snippet.result_contract_version,
        result_type: snippet.result_type,
        default_visualization: snippet.default_visualization,
      };
      // A run that did not succeed notifies who ran it, in the transaction that records it; a
      // succeeded one is a single insert.
      const row =
        turnId === null
          ? run.state === 'succeeded'
            ? await recordRun(deps.db, run)
            : await deps.db.transaction().execute((trx) => recordRunAndNotify(trx, run))
          : await deps.announce({
              workspaceId: ctx.workspaceId,
              turnId,
              type: 'widget.created',
              write: (trx) => recordRunAndNotify(trx, run),
              data: (recorded) => runWidget(recorded, snippet.display_type),
            });
      return toSnippetRun(row, 'full');
    },

    /** Executes a stored snippet without recording a run. */
    async executeStored(ctx: RunContext, snippetId: string, rawInputs: Record<string, unknown> | undefined) {
      const snippet = await runnable(ctx, snippetId);
      const inputs = validateRunInputs(snippet.inputs, rawInputs);
      return toResponse(snippet, judge(snippet, await execute(ctx, snippet.code, inputs)));
    },

    /** Executes ad-hoc code (called with `inputs` as given) without recording anything. */
    async executeCode(
      ctx: RunContext,
      code: string,
      inputs: Record<string, unknown> | undefined,
    ): Promise<ExecuteSnippetResponse> {
      const legacy: ResultContractTrio = {
        result_contract_version: null,
        result_type: null,
        default_visualization: null,
      };
      return toResponse(
        legacy,
        judge({ ...legacy, display_type: 'json' }, await execute(ctx, code, inputs ?? {})),
      );
    },
  };
}

async function agentSession(
  deps: ExecutionDeps,
  workspaceId: string,
  turnId: string,
): Promise<string | null> {
  if (!deps.agentTurns) return null;
  const turn = await deps.agentTurns(workspaceId, turnId);
  if (!turn)
    throw invalid(['body', 'agent_turn_id'], `agent turn ${turnId} does not exist in this workspace`);
  return turn.sessionId;
}

/**
 * The widget.created data announcing a run in its agent turn: a status card (the widget type the spec
 * offers for a result to show) referencing the run and its snippet.
 */
function runWidget(run: SnippetRunRow, displayType: string) {
  return {
    widget_type: 'status_card',
    schema_version: 1,
    title: run.snippet_name,
    summary:
      run.state === 'succeeded'
        ? 'Snippet run succeeded'
        : `Snippet run ${run.state}: ${run.error?.code ?? ''}`.trim(),
    resource_refs: [
      { resource: 'snippet_run', id: run.id },
      { resource: 'snippet', id: run.snippet_id },
    ],
    reactive_bindings: [],
    actions: [],
    snippet_run: { id: run.id, snippet_id: run.snippet_id, state: run.state, display_type: displayType },
  };
}

type Judged = {
  state: SnippetRun['state'];
  output: unknown;
  error: SnippetRunError | null;
  stats: ExecutionOutcome['stats'];
};

/**
 * The run's verdict from the isolate's outcome: a `logs` snippet that returns nothing shows its console
 * output; a contract snippet's output must match its contract (else it fails with
 * result_contract_violation).
 */
function judge(snippet: ResultContractTrio & { display_type: string }, outcome: ExecutionOutcome): Judged {
  if (outcome.state !== 'succeeded') {
    return { state: outcome.state, output: null, error: outcome.error, stats: outcome.stats };
  }
  let output = outcome.output;
  if (outcome.returnedUndefined && (snippet.display_type === 'logs' || snippet.result_type === 'logs')) {
    const entries = outcome.logs.map((l) => ({
      timestamp: Math.floor(l.timestamp / 1000),
      level: l.level,
      message: l.message || ' ',
    }));
    output = snippet.result_type === 'logs' ? { contract_version: 1, type: 'logs', entries } : entries;
  }
  const check = checkResultContract(snippet, output);
  if (!check.ok) return { state: 'failed', output: null, error: check.error, stats: outcome.stats };
  return { state: 'succeeded', output, error: null, stats: outcome.stats };
}

/** ExecuteSnippetResponse: `result` on success, `error` ("<code>: <message>") otherwise; the trio for contract snippets. */
function toResponse(trio: ResultContractTrio, judged: Judged): ExecuteSnippetResponse {
  const stats = roundStats(judged.stats);
  const error = judged.error ? { error: `${judged.error.code}: ${judged.error.message}` } : {};
  const result = judged.state === 'succeeded' ? { result: judged.output } : {};
  const contract = contractFields(trio);
  const trioFields = contract.result_contract_version === null ? {} : contract;
  return { ...trioFields, ...result, ...error, stats } as ExecuteSnippetResponse;
}

function toRunLog(entry: LogEntry): RunLogEntry {
  return { timestamp: Math.floor(entry.timestamp / 1000), level: entry.level, message: entry.message };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function roundStats(stats: ExecutionOutcome['stats']): ExecutionOutcome['stats'] {
  return {
    cpu_time_ms: round(stats.cpu_time_ms),
    wall_time_ms: round(stats.wall_time_ms),
    heap_used_bytes: stats.heap_used_bytes,
  };
}
