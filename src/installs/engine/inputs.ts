/**
 * Install inputs against a package version's input schema (JSON Schema 2020-12, with Ajv): a schema is
 * checked once when a version is created, and values are validated with the schema's defaults applied
 * when rendering. Every problem is reported with the path of the value it concerns.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';

const OPTIONS = { allErrors: true, useDefaults: true, strict: false } as const;
const ajv2020 = new Ajv2020(OPTIONS);
/** Helm charts' values.schema.json files are mostly draft-07 (some 2019-09); each gets its dialect. */
const ajv2019 = new Ajv2019(OPTIONS);
const ajv07 = new Ajv(OPTIONS);
const compiled = new Map<string, ValidateFunction>();

/** The validator of the dialect a schema's `$schema` names (2020-12 when it names none). */
function dialectOf(schema: Record<string, unknown>): Ajv | Ajv2019 | Ajv2020 | string {
  const uri = schema.$schema;
  if (uri === undefined) return ajv2020;
  if (typeof uri !== 'string') return '$schema must be a string';
  if (/json-schema\.org\/draft\/2020-12\/schema/.test(uri)) return ajv2020;
  if (/json-schema\.org\/draft\/2019-09\/schema/.test(uri)) return ajv2019;
  if (/json-schema\.org\/draft-07\/schema/.test(uri)) return ajv07;
  return `$schema ${JSON.stringify(uri)} is not a dialect Atoll validates; use JSON Schema 2020-12, 2019-09 or draft-07`;
}

export type SchemaProblem = { path: string[]; message: string };

/** Problems that make `schema` unusable as an input schema (empty when it is a valid 2020-12 schema). */
export function schemaProblems(schema: unknown): SchemaProblem[] {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    return [{ path: [], message: 'the input schema must be a JSON Schema object' }];
  }
  const ajv = dialectOf(schema as Record<string, unknown>);
  if (typeof ajv === 'string') return [{ path: ['$schema'], message: ajv }];
  if (!ajv.validateSchema(schema)) {
    return (ajv.errors ?? []).map((e) => ({
      path: pointer(e.instancePath),
      message: `${e.instancePath || 'schema'} ${e.message}`,
    }));
  }
  try {
    ajv.compile(schema);
  } catch (error) {
    return [{ path: [], message: (error as Error).message }];
  }
  return [];
}

/**
 * The values to render with: a copy of `values` with the schema's defaults filled in, or the list of
 * problems (each naming the offending value's path).
 */
export function validateValues(
  schema: Record<string, unknown>,
  values: Record<string, unknown>,
): { ok: true; values: Record<string, unknown> } | { ok: false; problems: SchemaProblem[] } {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    const ajv = dialectOf(schema);
    if (typeof ajv === 'string') throw new TypeError(ajv);
    validate = ajv.compile(schema);
    if (compiled.size > 256) compiled.clear();
    compiled.set(key, validate);
  }
  const copy = structuredClone(values);
  if (validate(copy)) return { ok: true, values: copy };
  return { ok: false, problems: (validate.errors ?? []).map(describe) };
}

function pointer(instancePath: string): string[] {
  return instancePath === ''
    ? []
    : instancePath
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function describe(e: ErrorObject): SchemaProblem {
  const path = pointer(e.instancePath);
  if (e.keyword === 'required') path.push(String((e.params as { missingProperty: string }).missingProperty));
  if (e.keyword === 'additionalProperties')
    path.push(String((e.params as { additionalProperty: string }).additionalProperty));
  const where = path.length > 0 ? path.join('.') : 'inputs';
  const message =
    e.keyword === 'required'
      ? `${where} is required`
      : e.keyword === 'additionalProperties'
        ? `${where} is not an input of this package`
        : `${where} ${e.message}`;
  return { path, message };
}
