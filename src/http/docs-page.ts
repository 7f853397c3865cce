/**
 * A self-contained HTML API reference rendered from the OpenAPI document: operations grouped by tag,
 * each with its parameters, request body and responses, schemas expanded into field tables. No
 * scripts or external assets, so it works offline and behind strict proxies.
 */

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  description?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  default?: unknown;
  const?: unknown;
  additionalProperties?: boolean | Schema;
  nullable?: boolean;
};

type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string; schema?: Schema }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>;
};

type Doc = {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

const esc = (s: unknown) =>
  String(s).replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  );

export function renderDocsPage(doc: Doc): string {
  const schemas = doc.components?.schemas ?? {};
  const resolve = (s: Schema | undefined): Schema | undefined =>
    s?.$ref ? schemas[s.$ref.split('/').pop()!] : s;
  const refName = (s: Schema | undefined) => (s?.$ref ? s.$ref.split('/').pop() : undefined);

  const typeOf = (s: Schema | undefined): string => {
    if (!s) return 'any';
    const name = refName(s);
    if (name) return name;
    if (s.const !== undefined) return JSON.stringify(s.const);
    if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
    if (s.oneOf || s.anyOf) return (s.oneOf ?? s.anyOf)!.map(typeOf).join(' | ');
    const t = Array.isArray(s.type) ? s.type.join(' | ') : (s.type ?? 'any');
    return t === 'array' ? `${typeOf(s.items)}[]` : t;
  };

  const constraints = (s: Schema): string => {
    const parts: string[] = [];
    if (s.minLength !== undefined || s.maxLength !== undefined)
      parts.push(`length ${s.minLength ?? 0}–${s.maxLength ?? '∞'}`);
    if (s.minimum !== undefined || s.maximum !== undefined)
      parts.push(`range ${s.minimum ?? '−∞'}–${s.maximum ?? '∞'}`);
    if (s.maxItems !== undefined) parts.push(`≤ ${s.maxItems} items`);
    if (s.pattern) parts.push(`pattern <code>${esc(s.pattern)}</code>`);
    if (s.default !== undefined) parts.push(`default <code>${esc(JSON.stringify(s.default))}</code>`);
    return parts.join(', ');
  };

  const fields = (schema: Schema | undefined, depth = 0): string => {
    const s = resolve(schema);
    if (!s || depth > 3) return '';
    const variants = s.oneOf ?? s.anyOf;
    if (variants)
      return variants
        .map((v, i) => `<p class="variant">variant ${i + 1}: ${esc(typeOf(v))}</p>${fields(v, depth + 1)}`)
        .join('');
    if (!s.properties) return '';
    const rows = Object.entries(s.properties).map(([name, p]) => {
      const inner = resolve(p.type === 'array' ? p.items : p);
      const nested =
        inner?.properties && depth < 2 ? `<div class="nested">${fields(inner, depth + 1)}</div>` : '';
      return `<tr><td><code>${esc(name)}</code>${s.required?.includes(name) ? ' <span class="req">required</span>' : ''}</td><td>${esc(typeOf(p))}</td><td>${esc(resolve(p)?.description ?? '')} ${constraints(resolve(p) ?? {})}${nested}</td></tr>`;
    });
    const closed =
      s.additionalProperties === false ? '<p class="closed">Unknown fields are rejected.</p>' : '';
    return `<table><tr><th>field</th><th>type</th><th>notes</th></tr>${rows.join('')}</table>${closed}`;
  };

  const byTag = new Map<string, Array<{ method: string; path: string; op: Operation }>>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags?.[0] ?? 'Other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag)!.push({ method, path, op });
    }
  }

  const anchor = (method: string, path: string) => `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-');
  const nav = [...byTag]
    .map(
      ([tag, ops]) =>
        `<h3>${esc(tag)}</h3><ul>${ops.map((o) => `<li><a href="#${anchor(o.method, o.path)}"><span class="m ${o.method}">${o.method.toUpperCase()}</span> ${esc(o.path)}</a></li>`).join('')}</ul>`,
    )
    .join('');

  const sections = [...byTag]
    .map(([tag, ops]) => {
      const body = ops
        .map(({ method, path, op }) => {
          const params = op.parameters?.length
            ? `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>notes</th></tr>${op.parameters
                .map(
                  (p) =>
                    `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <span class="req">required</span>' : ''}</td><td>${esc(p.in)}</td><td>${esc(typeOf(p.schema))}</td><td>${esc(p.description ?? p.schema?.description ?? '')} ${constraints(p.schema ?? {})}</td></tr>`,
                )
                .join('')}</table>`
            : '';
          const reqSchema = Object.values(op.requestBody?.content ?? {})[0]?.schema;
          const request = reqSchema
            ? `<h4>Request body <small>${esc(typeOf(reqSchema))}</small></h4>${fields(reqSchema)}`
            : '';
          const responses = Object.entries(op.responses ?? {})
            .map(([status, r]) => {
              const schema = Object.values(r.content ?? {})[0]?.schema;
              const detail = Number(status) < 300 && schema ? fields(schema) : '';
              return `<li><b>${esc(status)}</b> ${esc(r.description ?? '')}${schema ? ` — <code>${esc(typeOf(schema))}</code>` : ''}${detail}</li>`;
            })
            .join('');
          return `<section id="${anchor(method, path)}"><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3><p><b>${esc(op.summary ?? '')}</b> <small>${esc(op.operationId ?? '')}</small></p>${op.description ? `<p>${esc(op.description)}</p>` : ''}${params}${request}<h4>Responses</h4><ul>${responses}</ul></section>`;
        })
        .join('');
      return `<h2>${esc(tag)}</h2>${body}`;
    })
    .join('');

  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(doc.info.title)} reference</title><style>
body{font:14px/1.5 system-ui,sans-serif;margin:0;display:flex;color:#1d2330}nav{width:320px;height:100vh;overflow:auto;position:sticky;top:0;background:#f4f6f9;padding:16px;box-sizing:border-box;font-size:13px}nav ul{list-style:none;padding:0;margin:0 0 12px}nav a{color:inherit;text-decoration:none;display:block;padding:2px 0}main{flex:1;padding:24px 40px;max-width:1000px}section{border-top:1px solid #e3e7ee;padding:12px 0}table{border-collapse:collapse;width:100%;margin:6px 0}td,th{border:1px solid #e3e7ee;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f8f9fb}.m{display:inline-block;min-width:52px;font-weight:600;font-size:11px;border-radius:3px;padding:1px 4px;color:#fff;text-align:center}.get{background:#2f7d4f}.post{background:#2d5fb3}.patch{background:#a06b14}.put{background:#7a4bb0}.delete{background:#b3362d}.req{color:#b3362d;font-size:11px}.nested{margin-top:6px}.closed,.variant{color:#5b6475;font-size:12px;margin:2px 0}code{font-size:12px}
</style></head><body><nav><h2>${esc(doc.info.title)}</h2><p>v${esc(doc.info.version)} · <a href="/v1/openapi.json">openapi.json</a></p>${nav}</nav><main><h1>${esc(doc.info.title)} reference</h1><p>${esc(doc.info.description ?? '')}</p>${sections}</main></body></html>`;
}
