/**
 * Malformed requests derived from an OpenAPI document, for the edge fuzz test (src/http/fuzz.test.ts).
 * For every operation: bodies that break each field the schema names (U+0000, lone surrogates, wrong
 * types, huge numbers, hostile nesting in free-form objects, bad keys), bodies that are not JSON or not
 * objects, path parameters that decode to U+0000 or are not UTF-8, and query strings carrying them.
 * Each variant starts from a sample body built from the schema (required fields, examples, enums), so
 * the one broken field is the only thing wrong and the request gets as far as the code lets it.
 * Deterministic: no randomness; the same document gives the same requests in the same order.
 */

type Schema = Record<string, any>;

export type FuzzOperation = {
  method: string;
  /** The documented path, e.g. `/v1/snippets/{id}:execute`. */
  path: string;
  operationId: string;
  pathParams: string[];
  queryParams: string[];
  headerParams: string[];
  /** The JSON request body schema, if the operation takes JSON. */
  body: Schema | undefined;
};

export type FuzzRequest = {
  /** What is wrong, for the failure report. */
  variant: string;
  /** Must be refused with a 4xx (a variant that might be valid only has to avoid a 5xx). */
  refuse: boolean;
  /** Path params to substitute (raw, already percent-encoded); the rest get real ids. */
  params?: Record<string, string>;
  /** Raw query string without `?`. */
  query?: string;
  headers?: Record<string, string>;
  /** The body as sent: a string, bytes, or undefined for none. */
  raw?: string | Uint8Array;
  contentType?: string | null;
};

export const DEEP = 5000;

/** `{"a":{"a":…}}` nested `levels` deep (built as text: JSON.stringify would recurse). */
export function deepObject(levels: number): string {
  return '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
}

export function deepArray(levels: number): string {
  return '['.repeat(levels) + ']'.repeat(levels);
}

/** The documented operations with what the fuzzer needs to know about each. */
export function operationsOf(doc: Schema): FuzzOperation[] {
  const out: FuzzOperation[] = [];
  for (const [path, methods] of Object.entries<Schema>(doc.paths)) {
    for (const [method, op] of Object.entries<Schema>(methods)) {
      const params = (op.parameters ?? []) as Schema[];
      const names = (where: string) => params.filter((p) => p.in === where).map((p) => p.name as string);
      const json = op.requestBody?.content?.['application/json']?.schema;
      out.push({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId,
        pathParams: names('path'),
        queryParams: names('query'),
        headerParams: names('header'),
        body: json ? resolve(doc, json) : undefined,
      });
    }
  }
  return out;
}

function resolve(doc: Schema, schema: Schema): Schema {
  let s = schema;
  for (let i = 0; s?.$ref && i < 20; i++) s = doc.components.schemas[String(s.$ref).split('/').pop()!];
  return s ?? {};
}

/** The alternatives of a schema (oneOf/anyOf flattened), or the schema itself. */
function branches(doc: Schema, schema: Schema): Schema[] {
  const s = resolve(doc, schema);
  const alternatives = s.oneOf ?? s.anyOf;
  return alternatives ? alternatives.flatMap((b: Schema) => branches(doc, b)) : [s];
}

function typeOf(s: Schema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t: string) => t !== 'null');
  if (s.type) return s.type;
  if (s.properties) return 'object';
  return undefined;
}

const isFreeForm = (s: Schema) => typeOf(s) === 'object' && !s.properties && s.additionalProperties !== false;

/** A value the schema accepts as far as the schema says (required fields only). */
export function sample(doc: Schema, schema: Schema, depth = 0): unknown {
  const s = branches(doc, schema)[0]!;
  if (s.example !== undefined) return s.example;
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  if (s.default !== undefined) return s.default;
  switch (typeOf(s)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      if (depth > 8) return out;
      for (const name of (s.required ?? []) as string[]) {
        out[name] = sample(doc, s.properties?.[name] ?? {}, depth + 1);
      }
      return out;
    }
    case 'array':
      return (s.minItems ?? 0) > 0 ? [sample(doc, s.items ?? {}, depth + 1)] : [];
    case 'string':
      if (s.format === 'uri') return 'https://example.com/x';
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
    case 'integer':
    case 'number':
      return s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
    case 'boolean':
      return true;
    default:
      return 'x';
  }
}

type Field = { path: Array<string | number>; schema: Schema; parents: Schema[] };

/** Every field a body schema names, nested up to three levels, with the schemas on the way to it. */
function fieldsOf(doc: Schema, schema: Schema, prefix: Field['path'] = [], parents: Schema[] = []): Field[] {
  if (prefix.length >= 3) return [];
  const out: Field[] = [];
  for (const s of branches(doc, schema)) {
    if (typeOf(s) === 'object' && s.properties) {
      for (const [name, sub] of Object.entries<Schema>(s.properties)) {
        const field = { path: [...prefix, name], schema: resolve(doc, sub), parents: [...parents, s] };
        out.push(field, ...fieldsOf(doc, sub, field.path, field.parents));
      }
    } else if (typeOf(s) === 'array' && s.items) {
      const field = { path: [...prefix, 0], schema: resolve(doc, s.items), parents: [...parents, s] };
      out.push(field, ...fieldsOf(doc, s.items, field.path, field.parents));
    }
  }
  return out;
}

/** A copy of `base` with the value at `path` replaced, intermediate values sampled from their schemas. */
function withField(doc: Schema, base: unknown, field: Field, value: unknown): unknown {
  const root = structuredClone(base) as any;
  let node = root;
  for (let i = 0; i < field.path.length - 1; i++) {
    const key = field.path[i]!;
    const next = node[key];
    if (next === null || typeof next !== 'object') {
      const sub = field.parents[i + 1]!;
      const sampled = typeOf(sub) === 'array' ? [] : sample(doc, sub);
      node[key] = sampled !== null && typeof sampled === 'object' ? sampled : {};
    }
    node = node[key];
  }
  node[field.path[field.path.length - 1]!] = value;
  return root;
}

/** Serialises a body, putting raw JSON text (`{raw: "…"}` markers) where JSON.stringify cannot. */
function encode(body: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(body, (_k, v) => {
    if (v && typeof v === 'object' && typeof v.__raw === 'string') {
      raws.push(v.__raw);
      return `__raw_${raws.length - 1}__`;
    }
    return v;
  });
  return text.replace(/"__raw_(\d+)__"/g, (_m, i) => raws[Number(i)]!);
}

const raw = (text: string) => ({ __raw: text });

/** The wrong values tried in a field of the given schema. */
function fieldValues(doc: Schema, s: Schema): Array<{ name: string; value: unknown; refuse: boolean }> {
  const types = new Set(
    branches(doc, s).flatMap((b) => (Array.isArray(b.type) ? b.type : [typeOf(b) ?? 'any'])),
  );
  const out: Array<{ name: string; value: unknown; refuse: boolean }> = [];
  const add = (name: string, value: unknown, refuse = true) => out.push({ name, value, refuse });
  if (types.has('string') || types.has('any')) {
    add('U+0000 in the string', 'a\u0000b');
    add('U+0000 alone', '\u0000');
    add('lone high surrogate', 'a\ud800b');
    add('lone low surrogate at the end', 'ab\udfff');
  }
  if (types.has('integer') || types.has('number')) {
    add('huge number', 1e308, false);
    add('huge negative number', -1e308, false);
    add('number beyond float range (1e400)', raw('1e400'), false);
    add('30-digit integer', raw('123456789012345678901234567890'), false);
    add('fraction', 0.5, false);
  }
  if (!types.has('string') && !types.has('any')) add('wrong type: string', 'x', false);
  if (!types.has('integer') && !types.has('number')) add('wrong type: number', 12345, false);
  if (!types.has('boolean')) add('wrong type: boolean', true, false);
  if (!types.has('array')) add('array where a value is expected', ['x'], false);
  if (!types.has('object')) add('object where a value is expected', { a: 1 }, false);
  add('null', null, false);
  if (types.has('object') || types.has('any')) {
    add('object key with U+0000', { 'a\u0000b': 1 });
    add('object key with a lone surrogate', { 'a\ud800b': 1 });
    add('U+0000 in a nested value', { a: { b: ['x\u0000'] } });
    add(`${DEEP}-deep objects`, raw(deepObject(DEEP)));
    add(`${DEEP}-deep arrays`, raw(deepArray(DEEP)));
    if (isFreeForm(s)) add('huge number inside', { a: raw('1e400') }, false);
  }
  if (types.has('array')) {
    add(`${DEEP}-deep arrays`, raw(deepArray(DEEP)));
    add('U+0000 in an item', ['a\u0000b']);
  }
  return out;
}

/** Malformed JSON bodies for an operation that takes one. */
export function bodyVariants(doc: Schema, op: FuzzOperation): FuzzRequest[] {
  if (!op.body) return [];
  const out: FuzzRequest[] = [];
  const json = (variant: string, body: unknown, refuse = true): FuzzRequest => ({
    variant,
    refuse,
    raw: encode(body),
  });
  const bases = branches(doc, op.body).map((b) => sample(doc, b));
  const base = bases[0] as Record<string, unknown>;
  out.push(
    { variant: 'empty body', refuse: true, raw: '' },
    { variant: 'body not JSON', refuse: true, raw: '{"' },
    { variant: 'raw U+0000 byte inside a JSON string', refuse: true, raw: '{"a":"x\u0000y"}' },
    {
      variant: 'invalid UTF-8 bytes',
      refuse: true,
      raw: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
    },
    { variant: 'JSON null', refuse: true, raw: 'null' },
    { variant: 'JSON number', refuse: true, raw: '12' },
    { variant: 'JSON string', refuse: true, raw: '"a\\u0000b"' },
    { variant: 'array where the object is expected', refuse: true, raw: encode([base]) },
    { variant: 'escaped U+0000 as the body', refuse: true, raw: '"\\u0000"' },
    json('top-level key with U+0000', { ...base, 'a\u0000b': 'x' }),
    json('top-level key with a lone surrogate', { ...base, '\udc00': 'x' }),
    { variant: `${DEEP}-deep objects as the body`, refuse: true, raw: deepObject(DEEP) },
    { variant: `${DEEP}-deep arrays as the body`, refuse: true, raw: deepArray(DEEP) },
    json('number beyond float range at the top', { ...base, n: raw('1e400') }),
    { variant: 'JSON sent as text/plain', refuse: true, raw: encode(base), contentType: 'text/plain' },
    { variant: 'JSON sent without content-type', refuse: false, raw: encode(base), contentType: null },
  );
  const seen = new Set<string>();
  bases.forEach((branchBase, i) => {
    const branch = branches(doc, op.body!)[i]!;
    for (const field of fieldsOf(doc, branch)) {
      for (const { name, value, refuse } of fieldValues(doc, field.schema)) {
        const variant = `${field.path.join('.')}: ${name}`;
        if (seen.has(variant)) continue;
        seen.add(variant);
        out.push(json(variant, withField(doc, branchBase, field, value), refuse));
      }
    }
  });
  return out;
}

/** Path parameters that decode to U+0000, are not UTF-8, are malformed or too long. */
export const BAD_PATH_VALUES: Array<[string, string]> = [
  ['%00', '%00'],
  ['U+0000 inside', 'a%00b'],
  ['invalid UTF-8 (%ff)', '%ff'],
  ['encoded lone surrogate (%ed%a0%80)', '%ed%a0%80'],
  ['overlong encoding (%c0%80)', '%c0%80'],
  ['bad percent-escape', '%zz'],
  ['lone percent sign', 'a%'],
  ['very long id', 'x'.repeat(10_000)],
];

export function pathVariants(op: FuzzOperation): FuzzRequest[] {
  return op.pathParams.flatMap((name) =>
    BAD_PATH_VALUES.map(([what, value]) => ({
      variant: `path ${name}: ${what}`,
      refuse: true,
      params: { [name]: value },
    })),
  );
}

/** Query strings with U+0000, invalid UTF-8 and encoded surrogates, in unknown and in documented parameters. */
export function queryVariants(op: FuzzOperation): FuzzRequest[] {
  const out: FuzzRequest[] = [
    { variant: 'unknown query parameter named with U+0000', refuse: true, query: 'a%00b=1' },
    { variant: 'unknown query parameter with U+0000', refuse: true, query: 'zz=a%00b' },
    { variant: 'unknown query parameter with invalid UTF-8', refuse: true, query: 'zz=%ff' },
  ];
  for (const name of op.queryParams) {
    out.push(
      { variant: `query ${name}: U+0000`, refuse: true, query: `${name}=a%00b` },
      { variant: `query ${name}: invalid UTF-8`, refuse: true, query: `${name}=%ff%fe` },
      { variant: `query ${name}: encoded lone surrogate`, refuse: true, query: `${name}=%ed%b0%80` },
      { variant: `query ${name}: very long`, refuse: false, query: `${name}=${'x'.repeat(10_000)}` },
      { variant: `query ${name}: number beyond float range`, refuse: false, query: `${name}=1e400` },
      { variant: `query ${name}: negative`, refuse: false, query: `${name}=-1` },
      { variant: `query ${name}: repeated`, refuse: false, query: `${name}=1&${name}=2` },
    );
  }
  return out;
}

/** Documented headers with Latin-1 bytes and overlong values (HTTP itself cannot carry U+0000). */
export function headerVariants(op: FuzzOperation): FuzzRequest[] {
  return op.headerParams
    .filter((name) => name !== 'content-type')
    .flatMap((name) => [
      { variant: `header ${name}: Latin-1 byte`, refuse: false, headers: { [name]: 'a\u00ffb' } },
      { variant: `header ${name}: very long`, refuse: false, headers: { [name]: 'x'.repeat(4096) } },
    ]);
}

/** A valid-looking body for the operation, to carry path, query and header variants. */
export function sampleBody(doc: Schema, op: FuzzOperation): string | undefined {
  return op.body ? encode(sample(doc, op.body)) : undefined;
}
