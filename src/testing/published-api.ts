/**
 * The published Akua API document (spec/akua-openapi.json, a verbatim copy of the document Akua's
 * clients are generated from), for tests that check Atoll against it: the operation a method and path
 * match, and whether a response body is what that operation's schema for the status says.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

const SPEC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../spec');

type Json = any;

/** The whole published document, and the subset Atoll was first built from. */
export const publishedDocument: Json = JSON.parse(
  fs.readFileSync(path.join(SPEC_DIR, 'akua-openapi.json'), 'utf8'),
);
export const publishedSubset: Json = JSON.parse(
  fs.readFileSync(path.join(SPEC_DIR, 'akua-openapi.subset.json'), 'utf8'),
);

export type PublishedOperation = {
  operationId: string;
  method: string;
  /** The published path, under /v1 as Atoll serves it (`/v1/snippets/{id}:execute`). */
  path: string;
  operation: Json;
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every published operation, by operation id. */
export const publishedOperations: ReadonlyMap<string, PublishedOperation> = new Map(
  Object.entries(publishedDocument.paths as Record<string, Json>).flatMap(([p, item]) =>
    METHODS.filter((m) => item[m]).map((m): [string, PublishedOperation] => [
      item[m].operationId,
      { operationId: item[m].operationId, method: m.toUpperCase(), path: `/v1${p}`, operation: item[m] },
    ]),
  ),
);

/**
 * The published document as responses are validated against it, with its one unsatisfiable schema
 * read as meant: `DashboardRevisionMutationResponse` is `allOf: [DashboardRevision, {dashboard_etag}]`
 * where both members close `additionalProperties`, so no object passes both; it is checked as a
 * DashboardRevision with a required string `dashboard_etag` (docs/dashboards.md).
 */
function asValidated(doc: Json): Json {
  const copy = structuredClone(doc);
  const schemas = copy.components.schemas;
  const revision = schemas.DashboardRevision;
  schemas.DashboardRevisionMutationResponse = {
    ...revision,
    properties: { ...revision.properties, dashboard_etag: { type: 'string' } },
    required: [...revision.required, 'dashboard_etag'],
  };
  return copy;
}

const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
ajv.addSchema(asValidated(publishedDocument), 'akua');
const validators = new Map<string, ValidateFunction>();

function responseSchema(op: PublishedOperation, status: number): Json | undefined {
  const responses = op.operation.responses ?? {};
  const response = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
  return response?.content?.['application/json']?.schema;
}

/** The statuses the published document lists for an operation. */
export function publishedStatuses(operationId: string): number[] {
  const op = publishedOperations.get(operationId);
  if (!op) throw new Error(`no published operation ${operationId}`);
  return Object.keys(op.operation.responses ?? {}).map(Number);
}

/**
 * Problems with a response of a published operation: a status the operation does not list, or a body
 * its schema for that status rejects (ajv messages with the offending JSON pointer). Empty when valid.
 */
export function checkPublishedResponse(operationId: string, status: number, body: unknown): string[] {
  const op = publishedOperations.get(operationId);
  if (!op) return [`${operationId} is not a published operation`];
  if (!(String(status) in (op.operation.responses ?? {})))
    return [`${operationId} answered ${status}, which the published document does not list`];
  const schema = responseSchema(op, status);
  if (!schema) return [];
  const key = `${operationId} ${status}`;
  let validate = validators.get(key);
  if (!validate) {
    const resolved = schema.$ref ? { $ref: `akua${schema.$ref}` } : rewriteRefs(schema);
    validate = ajv.compile(resolved);
    validators.set(key, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    (e) =>
      `${operationId} ${status}: ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}

/** An inline schema with its `#/…` references pointed at the registered document. */
function rewriteRefs(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(rewriteRefs);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `akua${v}` : rewriteRefs(v),
    ]),
  );
}

/** Asserts that a response is one the published operation allows (status listed, body valid), and returns it. */
export function assertPublished<R extends { status: number; body: unknown; text: string }>(
  operationId: string,
  res: R,
): R {
  assert.deepEqual(checkPublishedResponse(operationId, res.status, res.body), [], res.text);
  return res;
}
