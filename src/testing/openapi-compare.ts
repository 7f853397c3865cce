/**
 * Compares the shapes two OpenAPI 3.1 documents give the same operations: the published Akua document
 * (the law) and Atoll's own, generated from its zod schemas (docs/api-conventions.md "OpenAPI
 * fidelity"). For every published operation Atoll serves (same method and path under /v1, path
 * parameters matched by position) it reports where the two disagree on:
 *
 * - the operationId;
 * - parameters: name, `in` and `required` (header names case-insensitive);
 * - the JSON request body and each 2xx response: the status, and the schema's types, nullability,
 *   enums, properties, required properties, array items, map values, and closedness where the
 *   published schema is closed (`additionalProperties: false`).
 *
 * Both sides are followed through `$ref` (each pair of references once per schema, so recursive
 * schemas end); `allOf` is merged; a union (`oneOf`/`anyOf`) is its alternatives plus nullability.
 * Where a difference cannot break a client written for the published document, the direction decides:
 *
 * - alternatives: every one Atoll answers with must be published; every published one of a request
 *   must be one Atoll accepts;
 * - required: Atoll may always send a response property the published marks optional, and may accept
 *   a request without a property the published requires (it then defaults it or refuses it itself);
 * - extensions: Atoll may add a property the published lacks when its description says so, beginning
 *   `Atoll:` (or `Atoll extension:`, `Atoll (…):`): in a response unless the published object is
 *   closed, in a request when optional; likewise an optional parameter the published lacks.
 *
 * Descriptions, examples, formats, patterns and length or number bounds are not compared.
 */

type Json = any;
type Doc = { paths: Record<string, Record<string, Json>>; components?: Record<string, Record<string, Json>> };

/** One disagreement: the operation, where in it (`response 200.metadata`), and what differs. */
export type Difference = { operationId: string; where: string; message: string };

type Report = (where: string, message: string) => void;
type Direction = 'request' | 'response';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const EXTENSION = /^Atoll( extension| \([^)]*\))?:/;

/** The differences of every published operation that `atoll` serves, in published order. */
export function compareDocuments(published: Doc, atoll: Doc, prefix = '/v1'): Difference[] {
  const template = (path: string) => path.replace(/\{[^}]*\}/g, '{}');
  const atollPaths = new Map(Object.keys(atoll.paths).map((p) => [template(p), p]));
  const out: Difference[] = [];
  for (const [path, item] of Object.entries(published.paths)) {
    const atollPath = atollPaths.get(template(`${prefix}${path}`));
    const atollItem = atollPath === undefined ? undefined : atoll.paths[atollPath]!;
    for (const method of METHODS) {
      const pub = item[method];
      const own = atollItem?.[method];
      if (!pub || !own) continue;
      const report: Report = (where, message) => out.push({ operationId: pub.operationId, where, message });
      if (own.operationId !== pub.operationId)
        report('operationId', `published ${pub.operationId}, Atoll ${own.operationId}`);
      compareParameters(published, atoll, [item, pub], [atollItem, own], report);
      const body = (op: Json) => op.requestBody?.content?.['application/json']?.schema;
      if (body(pub) || body(own))
        compareSchemas(context(published, atoll, 'request', report), body(pub), body(own), 'body');
      compareResponses(published, atoll, pub, own, report);
    }
  }
  return out;
}

function compareParameters(pubDoc: Doc, ownDoc: Doc, pubAt: Json[], ownAt: Json[], report: Report) {
  const collect = (doc: Doc, at: Json[]) =>
    new Map<string, Json>(
      at
        .flatMap((o) => (o.parameters ?? []) as Json[])
        .map((p) => resolve(doc, p))
        .map((p) => [`${p.in} ${p.in === 'header' ? p.name.toLowerCase() : p.name}`, p]),
    );
  const pub = collect(pubDoc, pubAt);
  const own = collect(ownDoc, ownAt);
  for (const [key, p] of pub) {
    const o = own.get(key);
    if (!o) report(`parameter ${key}`, 'published, not in Atoll');
    else if (Boolean(p.required) !== Boolean(o.required))
      report(`parameter ${key}`, `required: published ${Boolean(p.required)}, Atoll ${Boolean(o.required)}`);
  }
  for (const [key, o] of own) {
    if (pub.has(key)) continue;
    // An optional parameter described as an extension changes nothing for a published client.
    if (!o.required && EXTENSION.test(String(o.description ?? o.schema?.description ?? ''))) continue;
    report(`parameter ${key}`, 'in Atoll, not published');
  }
}

function compareResponses(pubDoc: Doc, ownDoc: Doc, pub: Json, own: Json, report: Report) {
  const success = (op: Json) => Object.keys(op.responses ?? {}).filter((s) => s.startsWith('2'));
  const schema = (doc: Doc, op: Json, status: string) =>
    resolve(doc, op.responses[status]).content?.['application/json']?.schema;
  for (const status of success(pub)) {
    if (!success(own).includes(status)) {
      report(`response ${status}`, `published, Atoll answers ${success(own).join(', ') || 'no 2xx'}`);
      continue;
    }
    const [p, o] = [schema(pubDoc, pub, status), schema(ownDoc, own, status)];
    if (p || o) compareSchemas(context(pubDoc, ownDoc, 'response', report), p, o, `response ${status}`);
  }
  for (const status of success(own))
    if (!success(pub).includes(status)) report(`response ${status}`, 'in Atoll, not published');
}

/** One comparison of a request body or a response: both documents, its direction and its report. */
type Context = {
  pubDoc: Doc;
  ownDoc: Doc;
  direction: Direction;
  report: Report;
  /** Pairs of references (published, Atoll) compared already. */
  seen: Set<string>;
};

function context(pubDoc: Doc, ownDoc: Doc, direction: Direction, report: Report): Context {
  return { pubDoc, ownDoc, direction, report, seen: new Set() };
}

function compareSchemas(ctx: Context, pub: Json, own: Json, where: string): void {
  if (pub === undefined || own === undefined) {
    ctx.report(where, pub === undefined ? 'in Atoll, not published' : 'published, not in Atoll');
    return;
  }
  const p = shape(ctx.pubDoc, pub);
  const o = shape(ctx.ownDoc, own);
  // Nullability belongs to where a schema is used, so it is checked before a known pair is skipped.
  if (p.nullable !== o.nullable)
    ctx.report(
      where,
      p.nullable ? 'nullable when published, not in Atoll' : 'nullable in Atoll, not when published',
    );
  if (p.ref && o.ref) {
    const pair = `${p.ref} ${o.ref}`;
    if (ctx.seen.has(pair)) return;
    ctx.seen.add(pair);
  }
  compareShapes(ctx, p, o, where);
}

function compareShapes(ctx: Context, p: Shape, o: Shape, where: string): void {
  if (p.alternatives || o.alternatives) return compareAlternatives(ctx, p, o, where);
  if (String(p.types) !== String(o.types))
    return ctx.report(where, `type: published ${p.types ?? 'any'}, Atoll ${o.types ?? 'any'}`);
  if (String(p.enum) !== String(o.enum))
    ctx.report(where, `enum: published [${p.enum ?? 'any'}], Atoll [${o.enum ?? 'any'}]`);
  const response = ctx.direction === 'response';
  const pubProps = p.properties ?? {};
  const ownProps = o.properties ?? {};
  for (const [name, schema] of Object.entries(pubProps)) {
    const at = `${where}.${name}`;
    if (!(name in ownProps)) {
      ctx.report(at, 'published, not in Atoll');
      continue;
    }
    const [pubRequired, ownRequired] = [p.required.includes(name), o.required.includes(name)];
    if (response && pubRequired && !ownRequired) ctx.report(at, 'required when published, optional in Atoll');
    if (!response && ownRequired && !pubRequired)
      ctx.report(at, 'required in Atoll, optional when published');
    compareSchemas(ctx, schema, ownProps[name], at);
  }
  for (const [name, schema] of Object.entries(ownProps)) {
    if (name in pubProps) continue;
    const at = `${where}.${name}`;
    if (!isExtension(schema))
      ctx.report(at, 'in Atoll, not published, nor described as an extension ("Atoll: …")');
    else if (response && p.closed) ctx.report(at, 'Atoll extension of an object closed when published');
    else if (!response && o.required.includes(name)) ctx.report(at, 'Atoll extension required in a request');
  }
  if (p.closed && !o.closed)
    ctx.report(where, 'closed when published (additionalProperties: false), open in Atoll');
  if (p.values || o.values) compareSchemas(ctx, p.values, o.values, `${where}{}`);
  if (p.items || o.items) compareSchemas(ctx, p.items, o.items, `${where}[]`);
}

/**
 * Every alternative Atoll answers with must be a published one; every published alternative of a
 * request must be one Atoll accepts. One without its counterpart is reported with its differences
 * from the closest candidate.
 */
function compareAlternatives(ctx: Context, p: Shape, o: Shape, where: string): void {
  const alternatives = (doc: Doc, s: Shape) => s.alternatives?.map((a) => shape(doc, a)) ?? [s];
  const response = ctx.direction === 'response';
  const [pubAlts, ownAlts] = [alternatives(ctx.pubDoc, p), alternatives(ctx.ownDoc, o)];
  for (const alt of response ? ownAlts : pubAlts) {
    const label = `${where}<${describe(alt)}>`;
    let closest: [string, string][] | undefined;
    for (const candidate of response ? pubAlts : ownAlts) {
      const found: [string, string][] = [];
      const trial = { ...ctx, seen: new Set(ctx.seen), report: (w: string, m: string) => found.push([w, m]) };
      compareShapes(trial, response ? candidate : alt, response ? alt : candidate, label);
      if (!closest || found.length < closest.length) closest = found;
      if (found.length === 0) break;
    }
    if (closest?.length === 0) continue;
    ctx.report(label, `${response ? 'Atoll' : 'published'} alternative without a counterpart`);
    for (const [w, m] of closest ?? []) ctx.report(w, m);
  }
}

/** A schema reduced to what is compared. `types` undefined: any value. */
type Shape = {
  /** The last reference followed to reach it, if any. */
  ref: string | undefined;
  types: string[] | undefined;
  nullable: boolean;
  /** Allowed values as JSON text, sorted. */
  enum: string[] | undefined;
  properties: Record<string, Json> | undefined;
  required: string[];
  closed: boolean;
  /** The schema of a map's values (a non-empty `additionalProperties`). */
  values: Json | undefined;
  items: Json | undefined;
  /** Union alternatives without null, when there are two or more. */
  alternatives: Json[] | undefined;
};

function shape(doc: Doc, schema: Json): Shape {
  const refs: string[] = [];
  const s = resolveAll(doc, schema, refs);
  const ref = refs.at(-1);
  const union: Json[] | undefined = s.oneOf ?? s.anyOf;
  if (union) {
    const alts = union.filter((a) => !isNull(resolve(doc, a)));
    const nullable = alts.length < union.length;
    if (alts.length === 1) {
      const inner = shape(doc, alts[0]);
      return { ...inner, ref: inner.ref ?? ref, nullable: nullable || inner.nullable };
    }
    return { ...NO_SHAPE, ref, nullable, alternatives: alts };
  }
  const declared: string[] | undefined = s.type === undefined ? undefined : [s.type].flat();
  const values: unknown[] | undefined = s.enum ?? ('const' in s ? [s.const] : undefined);
  let types = declared?.filter((t) => t !== 'null');
  if (!types && values) types = [...new Set(values.filter((v) => v !== null).map(jsonType))];
  if (!types && s.properties) types = ['object'];
  const additional = s.additionalProperties;
  return {
    ref,
    types: types?.sort(),
    nullable: Boolean(declared?.includes('null') || values?.includes(null)),
    enum: values
      ?.filter((v) => v !== null)
      .map((v) => JSON.stringify(v))
      .sort(),
    properties: s.properties,
    required: s.required ?? [],
    closed: additional === false,
    values: typeof additional === 'object' && Object.keys(additional).length ? additional : undefined,
    items: s.items,
    alternatives: undefined,
  };
}

const NO_SHAPE: Shape = {
  ref: undefined,
  types: undefined,
  nullable: false,
  enum: undefined,
  properties: undefined,
  required: [],
  closed: false,
  values: undefined,
  items: undefined,
  alternatives: undefined,
};

/** A short name for an alternative: its single-valued property (`type=install.render`), or its types. */
function describe(s: Shape): string {
  for (const [name, prop] of Object.entries<Json>(s.properties ?? {})) {
    const values = prop?.enum ?? (prop && 'const' in prop ? [prop.const] : undefined);
    if (values?.length === 1) return `${name}=${values[0]}`;
  }
  return String(s.types ?? 'any');
}

/** Whether a property is marked as Atoll's own: its description, or one of its `allOf` parts'. */
function isExtension(schema: Json): boolean {
  const descriptions = [schema.description, ...(schema.allOf ?? []).map((p: Json) => p.description)];
  return descriptions.some((d) => typeof d === 'string' && EXTENSION.test(d));
}

function isNull(s: Json): boolean {
  return s.type === 'null' || (Array.isArray(s.type) && s.type.length === 1 && s.type[0] === 'null');
}

/** The schema or parameter a `$ref` chain ends at; the references followed are pushed to `refs`. */
function resolve(doc: Doc, value: Json, refs: string[] = []): Json {
  let v = value;
  for (let i = 0; v && typeof v.$ref === 'string' && i < 32; i++) {
    refs.push(v.$ref);
    const [, , kind, name] = v.$ref.split('/');
    v = doc.components?.[kind!]?.[name!];
    if (v === undefined) throw new Error(`unresolved reference ${refs.at(-1)}`);
  }
  return v;
}

/** A schema with its `$ref` chain followed and its `allOf` merged. */
function resolveAll(doc: Doc, schema: Json, refs: string[] = []): Json {
  const s = resolve(doc, schema, refs);
  if (!s.allOf) return s;
  // allOf parts merged into one schema: properties and required joined, other keys first one wins.
  const { allOf, ...out } = s;
  for (const part of (allOf as Json[]).map((p) => resolveAll(doc, p))) {
    for (const [k, v] of Object.entries(part)) {
      if (k === 'properties') out.properties = { ...out.properties, ...(v as object) };
      else if (k === 'required') out.required = [...(out.required ?? []), ...(v as string[])];
      else if (!(k in out)) out[k] = v;
    }
  }
  return out;
}

function jsonType(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}
