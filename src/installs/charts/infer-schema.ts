/**
 * Input schemas for Helm charts. A chart without values.schema.json gets one inferred from its
 * values.yaml: each value's type and its default, objects open (charts take keys values.yaml does not
 * list, so no `additionalProperties: false`), arrays with any items. A chart with its own schema keeps
 * it, with `default` filled in from values.yaml wherever it has none, so an install's inputs always
 * show what the chart would use. Both are deterministic: the same values give the same schema.
 */

export const JSON_SCHEMA_2020_12 = 'https://json-schema.org/draft/2020-12/schema';

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The schema of one value (defaults share the values' objects: treat the result as read-only). */
function schemaOf(value: unknown): Record<string, unknown> {
  if (value === null || value === undefined) return { default: null };
  if (Array.isArray(value)) return { type: 'array', default: value };
  if (isObject(value)) {
    const properties: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) properties[key] = schemaOf(member);
    return { type: 'object', properties, default: value };
  }
  switch (typeof value) {
    case 'string':
      return { type: 'string', default: value };
    case 'boolean':
      return { type: 'boolean', default: value };
    case 'number':
      return { type: 'number', default: value };
    default:
      return { default: value };
  }
}

/**
 * A JSON Schema 2020-12 for a chart's values, inferred from values.yaml. The schema nests about twice
 * as deep as the values (each level adds `properties`).
 */
export function inferSchema(values: Record<string, unknown>): Record<string, unknown> {
  const { properties } = schemaOf(values);
  return {
    $schema: JSON_SCHEMA_2020_12,
    type: 'object',
    description:
      "Inferred from the chart's values.yaml (the chart has no values.schema.json): each value's type and default. Keys values.yaml does not list are accepted too.",
    properties,
  };
}

/**
 * A copy of a chart's values.schema.json with `default` set from `values` at every `properties` path
 * where the schema has none and values.yaml has a value (null excepted: in Helm it unsets a key, and a
 * null default would fail the schema's own type). Recurses into nested `properties` only, not into
 * `items`, combinators or references.
 */
export function withDefaults(
  schema: Record<string, unknown>,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const copy = structuredClone(schema);
  fill(copy, values);
  return copy;
}

function fill(schema: Record<string, unknown>, values: Record<string, unknown>): void {
  if (!isObject(schema.properties)) return;
  for (const [key, property] of Object.entries(schema.properties)) {
    if (!isObject(property) || !Object.hasOwn(values, key)) continue;
    const value = values[key];
    if (value === null || value === undefined) continue;
    if (!Object.hasOwn(property, 'default')) property.default = structuredClone(value);
    if (isObject(value)) fill(property, value);
  }
}
