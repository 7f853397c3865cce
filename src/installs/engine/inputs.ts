/**
 * Install inputs against a package version's input schema (JSON Schema 2020-12, with Ajv): a schema is
 * checked once when a version is created, and values are validated with the schema's defaults applied
 * when rendering. Every problem is reported with the path of the value it concerns.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';

const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: false });
const compiled = new Map<string, ValidateFunction>();

export type SchemaProblem = { path: string[]; message: string };

/** Problems that make `schema` unusable as an input schema (empty when it is a valid 2020-12 schema). */
export function schemaProblems(schema: unknown): SchemaProblem[] {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    return [{ path: [], message: 'the input schema must be a JSON Schema object' }];
  }
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
