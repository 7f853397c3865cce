/**
 * Snippet run and execution schemas (Akua `SnippetRun`, `SnippetRunList`, `SnippetRunError`,
 * `CreateSnippetRunBody`, `ExecuteSnippetBody`, `ExecuteStoredSnippetBody`, `ExecuteSnippetResponse`).
 * A run is recorded once execution has ended, so its state is always terminal.
 */
import { z } from '@hono/zod-openapi';
import { listOf, UnixSeconds } from '../http/schemas.ts';
import { DefaultVisualization, ResultContractOutput, ResultContractVersion, ResultType } from './contract.ts';
import { CODE_MAX } from './schemas.ts';

export const RunState = z
  .enum(['succeeded', 'failed', 'timed_out'])
  .openapi({ description: 'Terminal run state in past participle form.' });
export type RunState = z.infer<typeof RunState>;

export const RunSource = z
  .enum(['manual', 'dashboard_open', 'dashboard_refresh', 'agent'])
  .openapi({ description: 'Origin that initiated the persisted snippet run.' });
export type RunSource = z.infer<typeof RunSource>;

export const RunView = z
  .enum(['basic', 'full'])
  .openapi({ description: 'Control whether output and error details are included.' });
export type RunView = z.infer<typeof RunView>;

export const RunStats = z.object({
  cpu_time_ms: z.number(),
  wall_time_ms: z.number(),
  heap_used_bytes: z.number(),
});
export type RunStats = z.infer<typeof RunStats>;

export const SnippetRunError = z
  .object({ code: z.string(), message: z.string(), details: z.unknown().optional() })
  .openapi('SnippetRunError');
export type SnippetRunError = z.infer<typeof SnippetRunError>;

/** One console call of a run (Atoll extension: the spec's SnippetRun has no console output). */
export const RunLogEntry = z
  .object({
    timestamp: UnixSeconds,
    level: z.enum(['debug', 'info', 'warn', 'error']),
    message: z.string(),
  })
  .openapi('SnippetRunLogEntry');
export type RunLogEntry = z.infer<typeof RunLogEntry>;

const Values = z.record(z.string(), z.unknown());
const Overrides = Values.openapi({
  description: 'Legacy execution metadata retained for compatibility. It is not applied as runtime input.',
});
const AgentRef = z.string().min(1).max(54);
const DashboardId = z.string().min(1).max(55);

const runFields = {
  id: z.string().min(1).max(54),
  snippet_id: z.string().min(1).max(54),
  source: RunSource,
  snippet_name: z.string(),
  snippet_etag: z.string(),
  dashboard_id: DashboardId.nullable(),
  dashboard_name: z.string().nullable(),
  widget_id: z.string().min(1).max(54).nullable(),
  widget_title: z.string().nullable(),
  run_by: z.string(),
  agent_session_id: AgentRef.nullable(),
  agent_turn_id: AgentRef.nullable(),
  state: RunState,
  inputs: Values,
  overrides: Overrides.optional(),
  error: SnippetRunError.optional(),
  logs: z.array(RunLogEntry).optional().openapi({
    description:
      'Atoll: console output of the run, in order (view=full only; at most the configured number of entries).',
  }),
  logs_dropped: z.number().int().optional().openapi({
    description: 'Atoll: how many console entries were dropped past the limit (view=full only).',
  }),
  duration_ms: z.number(),
  stats: RunStats,
  created_at: UnixSeconds,
  etag: z.string(),
};

export const SnippetRun = z
  .union([
    z.object({
      ...runFields,
      result_contract_version: z.null(),
      result_type: z.null(),
      default_visualization: z.null(),
      output: z.unknown().optional(),
    }),
    z.object({
      ...runFields,
      result_contract_version: ResultContractVersion,
      result_type: ResultType,
      default_visualization: DefaultVisualization,
      output: ResultContractOutput.optional(),
    }),
  ])
  .openapi('SnippetRun', {}, { unionPreferredType: 'oneOf' });
export type SnippetRun = z.infer<typeof SnippetRun>;

export const SnippetRunList = listOf(SnippetRun, 'SnippetRunList');

const dashboardContext = <S extends 'dashboard_open' | 'dashboard_refresh'>(source: S) =>
  z.strictObject({
    source: z.literal(source),
    dashboard_id: DashboardId,
    widget_id: z.string().min(1).max(54),
  });

export const CreateSnippetRunBody = z
  .strictObject({
    inputs: Values.optional(),
    overrides: Overrides.optional(),
    agent_turn_id: AgentRef.optional(),
    context: z
      .discriminatedUnion('source', [
        z.strictObject({ source: z.literal('manual') }),
        z.strictObject({ source: z.literal('agent'), agent_turn_id: AgentRef.optional() }),
        dashboardContext('dashboard_open'),
        dashboardContext('dashboard_refresh'),
      ])
      .optional(),
  })
  .openapi('CreateSnippetRunBody');
export type CreateSnippetRunBody = z.infer<typeof CreateSnippetRunBody>;

export const ExecuteSnippetBody = z
  .strictObject({
    code: z.string().min(1).max(CODE_MAX).openapi({
      description:
        'Async JavaScript function body. Executed in a sandboxed runtime with access to platform.request().',
    }),
    inputs: Values.optional(),
  })
  .openapi('ExecuteSnippetBody');
export type ExecuteSnippetBody = z.infer<typeof ExecuteSnippetBody>;

export const ExecuteStoredSnippetBody = z
  .strictObject({ inputs: Values.optional() })
  .openapi('ExecuteStoredSnippetBody');
export type ExecuteStoredSnippetBody = z.infer<typeof ExecuteStoredSnippetBody>;

export const ExecuteSnippetResponse = z
  .union([
    z.strictObject({ result: z.unknown().optional(), error: z.string().optional(), stats: RunStats }),
    z.strictObject({
      result_contract_version: ResultContractVersion,
      result_type: ResultType,
      default_visualization: DefaultVisualization,
      result: ResultContractOutput.optional(),
      error: z.string().optional(),
      stats: RunStats,
    }),
  ])
  .openapi('ExecuteSnippetResponse');
export type ExecuteSnippetResponse = z.infer<typeof ExecuteSnippetResponse>;
