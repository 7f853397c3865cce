/**
 * The result contract, version 1. A snippet either has none (legacy: its trio is all null and its
 * output may be any value) or declares `result_contract_version: 1`, a `result_type` and a
 * `default_visualization`; then every output must be the typed shape of that result type, so that a
 * dashboard can render it without guessing. The seven shapes are transcribed from the spec's
 * `SnippetRun.output` (every limit included); `checkResultContract` is what execution calls on an
 * output before recording it.
 */
import { z } from '@hono/zod-openapi';

export const RESULT_TYPES = [
  'scalar',
  'timeseries',
  'categorical',
  'table',
  'status_list',
  'logs',
  'json',
] as const;
export const ResultType = z.enum(RESULT_TYPES);
export type ResultType = z.infer<typeof ResultType>;

export const DefaultVisualization = z.enum([
  'stat',
  'sparkline',
  'line',
  'area',
  'bar',
  'donut',
  'table',
  'status_list',
  'logs',
  'json',
]);
export type DefaultVisualization = z.infer<typeof DefaultVisualization>;

export const ResultContractVersion = z.literal(1);

/** The trio of fields that make up a result contract. */
export const CONTRACT_FIELDS = ['result_contract_version', 'result_type', 'default_visualization'] as const;
export type ContractField = (typeof CONTRACT_FIELDS)[number];

/** A snippet's (or run's) result-contract trio as stored: all null, or all set. */
export type ResultContractTrio = {
  result_contract_version: 1 | null;
  result_type: ResultType | null;
  default_visualization: DefaultVisualization | null;
};

/** The trio as the wire shows it: exactly one of the spec's two variants. */
export type ResultContractFields =
  | { result_contract_version: null; result_type: null; default_visualization: null }
  | { result_contract_version: 1; result_type: ResultType; default_visualization: DefaultVisualization };

/** The wire variant of a stored trio (a half-set trio, which the database forbids, reads as legacy). */
export function contractFields(trio: ResultContractTrio): ResultContractFields {
  return trio.result_contract_version === null ||
    trio.result_type === null ||
    trio.default_visualization === null
    ? { result_contract_version: null, result_type: null, default_visualization: null }
    : {
        result_contract_version: 1,
        result_type: trio.result_type,
        default_visualization: trio.default_visualization,
      };
}

const Key = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/, 'key must be snake_case: lowercase words of letters and digits');
const Label = z.string().min(1).max(200);
const Unit = z.string().min(1).max(64);
const Definition = z.string().min(1).max(500);
const Timestamp = z.number().int().min(0);
const Cell = z.union([z.string().max(16384), z.number(), z.boolean(), z.null()]);
const Series = z.strictObject({
  key: Key,
  label: Label,
  unit: Unit.optional(),
  definition: Definition.optional(),
});

export const ScalarOutput = z.strictObject({
  contract_version: ResultContractVersion,
  type: z.literal('scalar'),
  value: Cell,
  unit: Unit.optional(),
  definition: Definition.optional(),
  timestamp: Timestamp.optional(),
  history: z
    .array(z.strictObject({ timestamp: Timestamp, value: z.number().nullable() }))
    .max(2000)
    .optional(),
});

export const TimeseriesOutput = z.strictObject({
  contract_version: ResultContractVersion,
  type: z.literal('timeseries'),
  series: z.array(Series).min(1).max(8),
  points: z
    .array(z.strictObject({ timestamp: Timestamp, values: z.array(z.number().nullable()).max(8) }))
    .max(2000),
});

export const CategoricalOutput = z.strictObject({
  contract_version: ResultContractVersion,
  type: z.literal('categorical'),
  series: z.array(Series).min(1).max(8),
  categories: z.array(z.strictObject({ key: Key, label: Label })).max(100),
  values: z.array(z.array(z.number().nullable()).max(8)).max(100),
});

const column = <K extends string>(kind: K) =>
  z.strictObject({ key: Key, label: Label, definition: Definition.optional(), kind: z.literal(kind) });

export const TableOutput = z.strictObject({
  contract_version: ResultContractVersion,
  type: z.literal('table'),
  columns: z
    .array(
      z.discriminatedUnion('kind', [
        column('text'),
        column('number').extend({ unit: Unit.optional() }),
        column('boolean'),
        column('timestamp'),
        column('link'),
      ]),
    )
    .min(1)
    .max(32),
  rows: z.array(z.array(Cell).max(32)).max(500),
});

export const StatusListOutput = z.strictObject({
  contract_version: ResultContractVersion,
  type: z.literal('status_list'),
  items: z
    .array(
      z.strictObject({
        key: Key,
        label: Label,
        severity: z.enum(['info', 'success', 'warning', 'critical', 'unknown']),
        detail: z.string().max(16384).optional(),
        timestamp: Timestamp.optional(),
        link: z.string().min(1).max(2048).optional(),
      }),
    )
    .max(200),
});

export const LogsOutput = z.strictObject({
  contract_version: ResultContractVersion,
  type: z.literal('logs'),
  entries: z
    .array(
      z.strictObject({
        message: z.string().min(1).max(4096),
        timestamp: Timestamp.optional(),
        level: z.string().min(1).max(32).optional(),
      }),
    )
    .max(1000),
});

export const JsonOutput = z
  .strictObject({ contract_version: ResultContractVersion, type: z.literal('json'), value: z.unknown() })
  // zod requires the `value` key (any value, null included); say so in the document too.
  .openapi({ required: ['contract_version', 'type', 'value'] });

const SHAPES = {
  scalar: ScalarOutput,
  timeseries: TimeseriesOutput,
  categorical: CategoricalOutput,
  table: TableOutput,
  status_list: StatusListOutput,
  logs: LogsOutput,
  json: JsonOutput,
} satisfies Record<ResultType, z.ZodType>;

/** Any contract-v1 output, told apart by `type`. */
export const ResultContractOutput = z
  .discriminatedUnion('type', [
    ScalarOutput,
    TimeseriesOutput,
    CategoricalOutput,
    TableOutput,
    StatusListOutput,
    LogsOutput,
    JsonOutput,
  ])
  .openapi('SnippetResultContractOutput');
export type ResultContractOutput = z.infer<typeof ResultContractOutput>;

/** One way an output breaks its contract: where (a path into the output) and what. */
export type ContractIssue = { path: Array<string | number>; message: string };

/** The run error recorded when an output breaks its snippet's contract. */
export type ContractViolation = {
  code: 'result_contract_violation';
  message: string;
  details: ContractIssue[];
};

export type ContractCheck = { ok: true } | { ok: false; error: ContractViolation };

/**
 * Whether `output` honours the snippet's result contract. Legacy snippets (trio null) accept any
 * output. Contract snippets need `output.type === result_type` and a valid shape of that type; the
 * violation lists every problem with its path inside the output.
 */
export function checkResultContract(trio: ResultContractTrio, output: unknown): ContractCheck {
  if (trio.result_contract_version === null || trio.result_type === null) return { ok: true };
  const expected = trio.result_type;
  const returned =
    typeof output === 'object' && output !== null && !Array.isArray(output)
      ? (output as Record<string, unknown>).type
      : undefined;
  if (returned !== expected) {
    return violation(
      `the snippet declares result_type "${expected}" but its output is not {contract_version: 1, type: "${expected}", …}`,
      [{ path: ['type'], message: `expected "${expected}", got ${JSON.stringify(returned) ?? 'nothing'}` }],
    );
  }
  const parsed = SHAPES[expected].safeParse(output);
  if (parsed.success) return { ok: true };
  const details = parsed.error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: issue.message,
  }));
  const first = details[0]!;
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
  return violation(
    `the output does not match result_type "${expected}": ${first.path.join('.') || 'output'}: ${first.message}${more}`,
    details,
  );
}

function violation(message: string, details: ContractIssue[]): ContractCheck {
  return { ok: false, error: { code: 'result_contract_violation', message, details } };
}
