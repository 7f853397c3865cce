/**
 * Snippet inputs: the descriptors a snippet declares (six kinds, transcribed from the spec), the checks
 * a descriptor list must pass when it is stored (beyond what its shape says), and the validation of
 * the values a run is called with. Both checks report every problem at once, each naming its field,
 * so that a caller fixes a request in one round trip.
 */
import { z } from '@hono/zod-openapi';
import { invalid, type ErrorDetail } from '../http/errors.ts';

export const MAX_INPUTS = 16;
/** Longest text value when a text input sets no max_length (the spec's cap on max_length). */
export const TEXT_MAX = 500;
const RESOURCE_VALUE_MAX = 255;
const RESOURCE_VALUES_MAX = 100;

const common = {
  key: z
    .string()
    .regex(
      /^[a-z][a-z0-9_]{0,31}$/,
      'key must start with a lowercase letter and have at most 32 lowercase letters, digits or underscores',
    ),
  label: z.string().min(1).max(100),
  description: z.string().max(500).optional(),
  required: z.boolean().optional(),
};

export const TimeRangeInput = z.strictObject({
  ...common,
  kind: z.literal('time_range'),
  default: z.strictObject({ from: z.number().int(), to: z.number().int() }).optional(),
});

export const ResourceInput = z.strictObject({
  ...common,
  kind: z.literal('resource'),
  resource: z.enum(['cluster', 'install', 'product', 'package', 'region']),
  default: z
    .union([
      z.string().max(RESOURCE_VALUE_MAX),
      z.array(z.string().max(RESOURCE_VALUE_MAX)).min(1).max(RESOURCE_VALUES_MAX),
    ])
    .optional(),
  multiple: z.boolean().optional(),
});

export const EnumInput = z.strictObject({
  ...common,
  kind: z.literal('enum'),
  options: z.array(z.string().min(1).max(100)).min(1).max(100),
  default: z.string().min(1).max(100).optional(),
});

export const BooleanInput = z.strictObject({
  ...common,
  kind: z.literal('boolean'),
  default: z.boolean().optional(),
});

export const NumberInput = z.strictObject({
  ...common,
  kind: z.literal('number'),
  min: z.number().optional(),
  max: z.number().optional(),
  default: z.number().optional(),
});

export const TextInput = z.strictObject({
  ...common,
  kind: z.literal('text'),
  default: z.string().max(TEXT_MAX).optional(),
  max_length: z.number().int().min(1).max(TEXT_MAX).optional(),
});

export const InputDescriptor = z
  .discriminatedUnion('kind', [
    TimeRangeInput,
    ResourceInput,
    EnumInput,
    BooleanInput,
    NumberInput,
    TextInput,
  ])
  .openapi('SnippetInputDescriptor');
export type InputDescriptor = z.infer<typeof InputDescriptor>;

export const InputDescriptors = z.array(InputDescriptor).max(MAX_INPUTS);

/**
 * Throws one 422 listing every inconsistency of a descriptor list: a key used twice, or a default the
 * descriptor itself would reject (enum default not among options, number default outside min..max,
 * min above max, text default longer than max_length, time range ending before it starts, resource
 * default not a list when `multiple` or a list when not). Paths are ["body", "inputs", index, field].
 */
export function assertDescriptors(descriptors: readonly InputDescriptor[]): void {
  const problems: ErrorDetail[] = [];
  const firstIndex = new Map<string, number>();
  descriptors.forEach((d, i) => {
    const at = (field: string, message: string) =>
      problems.push({
        message: `inputs.${i}.${field}: ${message}`,
        path: ['body', 'inputs', String(i), field],
      });
    const earlier = firstIndex.get(d.key);
    if (earlier === undefined) firstIndex.set(d.key, i);
    else at('key', `key "${d.key}" is already used by inputs.${earlier}; keys must be unique`);
    for (const [field, message] of descriptorProblems(d)) at(field, message);
  });
  throwAll(problems);
}

/** [field, message] pairs for one descriptor whose parts disagree. */
function descriptorProblems(d: InputDescriptor): Array<[string, string]> {
  switch (d.kind) {
    case 'time_range':
      return d.default && d.default.from > d.default.to ? [['default', 'from must not be after to']] : [];
    case 'resource':
      if (d.default === undefined) return [];
      if (d.multiple === true && !Array.isArray(d.default))
        return [['default', 'an input with multiple: true takes a list of ids as its default']];
      if (d.multiple !== true && Array.isArray(d.default))
        return [['default', 'a list default needs multiple: true; a single resource input takes one id']];
      return [];
    case 'enum':
      return d.default !== undefined && !d.options.includes(d.default)
        ? [['default', `default "${d.default}" is not one of the options`]]
        : [];
    case 'boolean':
      return [];
    case 'number': {
      const out: Array<[string, string]> = [];
      if (d.min !== undefined && d.max !== undefined && d.min > d.max)
        out.push(['min', `min (${d.min}) must not be greater than max (${d.max})`]);
      if (d.default !== undefined && d.min !== undefined && d.default < d.min)
        out.push(['default', `default ${d.default} is below min ${d.min}`]);
      if (d.default !== undefined && d.max !== undefined && d.default > d.max)
        out.push(['default', `default ${d.default} is above max ${d.max}`]);
      return out;
    }
    case 'text':
      return d.default !== undefined && d.max_length !== undefined && d.default.length > d.max_length
        ? [['default', `default is longer than max_length ${d.max_length}`]]
        : [];
    default: {
      const never: never = d;
      throw new Error(`unknown input kind ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The values to call a snippet with: the caller's inputs checked against the snippet's descriptors,
 * with defaults applied for inputs not given (a `null` value counts as not given). Throws one 422
 * listing every problem, each at ["body", "inputs", key]: an unknown key, a required input without
 * value or default, a value of the wrong kind or out of its bounds.
 */
export function validateRunInputs(
  descriptors: readonly InputDescriptor[],
  inputs: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const given = inputs ?? {};
  const problems: ErrorDetail[] = [];
  const at = (key: string, message: string) =>
    problems.push({ message: `inputs.${key}: ${message}`, path: ['body', 'inputs', key] });
  const known = new Set(descriptors.map((d) => d.key));
  for (const key of Object.keys(given)) {
    if (!known.has(key)) at(key, `the snippet declares no input "${key}"`);
  }
  const values: Record<string, unknown> = {};
  for (const d of descriptors) {
    const value = given[d.key] ?? d.default;
    if (value === undefined || value === null) {
      if (d.required === true) at(d.key, `input "${d.key}" (${d.label}) is required`);
      continue;
    }
    const problem = valueProblem(d, value);
    if (problem === undefined) values[d.key] = value;
    else at(d.key, problem);
  }
  throwAll(problems, 'invalid_input');
  return values;
}

/** What is wrong with a value for a descriptor, or undefined when it fits. */
function valueProblem(d: InputDescriptor, value: unknown): string | undefined {
  switch (d.kind) {
    case 'time_range': {
      const range = value as { from?: unknown; to?: unknown };
      const closed =
        typeof value === 'object' &&
        !Array.isArray(value) &&
        Object.keys(value as object).every((k) => k === 'from' || k === 'to');
      if (!closed || !Number.isSafeInteger(range.from) || !Number.isSafeInteger(range.to))
        return 'must be {from, to} with integer Unix seconds';
      return (range.from as number) <= (range.to as number) ? undefined : 'from must not be after to';
    }
    case 'resource': {
      const isId = (v: unknown) => typeof v === 'string' && v.length <= RESOURCE_VALUE_MAX;
      if (d.multiple === true) {
        return Array.isArray(value) &&
          value.length >= 1 &&
          value.length <= RESOURCE_VALUES_MAX &&
          value.every(isId)
          ? undefined
          : `must be a list of 1 to ${RESOURCE_VALUES_MAX} ${d.resource} ids of at most ${RESOURCE_VALUE_MAX} characters`;
      }
      return isId(value)
        ? undefined
        : `must be one ${d.resource} id of at most ${RESOURCE_VALUE_MAX} characters`;
    }
    case 'enum':
      return typeof value === 'string' && d.options.includes(value)
        ? undefined
        : `must be one of ${d.options.map((o) => JSON.stringify(o)).join(', ')}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (d.min !== undefined && value < d.min) return `must be at least ${d.min}`;
      if (d.max !== undefined && value > d.max) return `must be at most ${d.max}`;
      return undefined;
    case 'text': {
      const max = d.max_length ?? TEXT_MAX;
      if (typeof value !== 'string') return 'must be a string';
      return value.length <= max ? undefined : `must be at most ${max} characters`;
    }
    default: {
      const never: never = d;
      throw new Error(`unknown input kind ${JSON.stringify(never)}`);
    }
  }
}

/** One 422 listing every problem; `code` becomes metadata.reason (e.g. invalid_input for run inputs). */
function throwAll(problems: ErrorDetail[], code?: string): void {
  const [first, ...more] = problems;
  if (first) throw invalid(first.path!, first.message, code ? { more, code } : { more });
}
