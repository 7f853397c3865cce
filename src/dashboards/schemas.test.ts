/**
 * The dashboards family's schemas are the published ones: each is compared with its published
 * counterpart (a component, or an operation's inline body or response) by the OpenAPI comparer, on a
 * throwaway app holding one route per schema; and sample bodies are judged alike by Atoll's zod parse
 * and by the published JSON Schema (ajv), refusals included.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { compareDocuments } from '../testing/openapi-compare.ts';
import { publishedDocument } from '../testing/published-api.ts';
import {
  CreateDashboardBody,
  CreateDashboardRevisionBody,
  Dashboard,
  DashboardIdResponse,
  DashboardList,
  DashboardRevision,
  DashboardRevisionList,
  DashboardRevisionMutationResponse,
  DashboardWidgetResultResolution,
  ResolveDashboardWidgetResultBody,
  RestoreDashboardRevisionBody,
  UpdateDashboardBody,
} from './schemas.ts';
import {
  CreateDashboardWidgetBody,
  UpdateDashboardWidgetBody,
  Widget,
  WidgetList,
} from './widget-schemas.ts';

type Json = any;
type Direction = 'request' | 'response';
type Case = { name: string; direction: Direction; published: Json; atoll: z.ZodType };
const RESTORE = '/dashboards/{id}/revisions/{revision_id}:restore';

const component = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const operation = (path: string, method: string): Json => publishedDocument.paths[path][method];
const inlineBody = (path: string, method: string) =>
  operation(path, method).requestBody.content['application/json'].schema;
const inlineResponse = (path: string, method: string, status: number) =>
  operation(path, method).responses[status].content['application/json'].schema;

/** A published component, compared as a request body or a response. */
const named = (direction: Direction, atoll: z.ZodType, name: string): Case => ({
  name,
  direction,
  published: component(name),
  atoll,
});
/** An operation's inline body (status omitted) or response, compared under a name of our own. */
const inlineCase = (atoll: z.ZodType, name: string, path: string, method: string, status?: number): Case => ({
  name,
  direction: status === undefined ? 'request' : 'response',
  published: status === undefined ? inlineBody(path, method) : inlineResponse(path, method, status),
  atoll,
});

const CASES: Case[] = [
  named('response', Dashboard, 'Dashboard'),
  named('response', DashboardList, 'DashboardList'),
  named('response', Widget, 'Widget'),
  named('response', WidgetList, 'WidgetList'),
  named('response', DashboardRevision, 'DashboardRevision'),
  named('response', DashboardRevisionList, 'DashboardRevisionList'),
  named('response', DashboardRevisionMutationResponse, 'DashboardRevisionMutationResponse'),
  named('response', DashboardWidgetResultResolution, 'DashboardWidgetResultResolution'),
  named('request', CreateDashboardWidgetBody, 'CreateDashboardWidgetBody'),
  named('request', UpdateDashboardWidgetBody, 'UpdateDashboardWidgetBody'),
  named('request', ResolveDashboardWidgetResultBody, 'ResolveDashboardWidgetResultBody'),
  inlineCase(DashboardIdResponse, 'CreateDashboardCreated', '/dashboards', 'post', 201),
  inlineCase(DashboardIdResponse, 'UpdateDashboardUpdated', '/dashboards/{id}', 'patch', 200),
  inlineCase(CreateDashboardBody, 'CreateDashboardBody', '/dashboards', 'post'),
  inlineCase(UpdateDashboardBody, 'UpdateDashboardBody', '/dashboards/{id}', 'patch'),
  inlineCase(
    CreateDashboardRevisionBody,
    'CreateDashboardRevisionBody',
    '/dashboards/{id}/revisions',
    'post',
  ),
  inlineCase(RestoreDashboardRevisionBody, 'RestoreDashboardRevisionBody', RESTORE, 'post'),
];

/** Both documents for these cases: one POST /check/<name> per case, carrying it as body or response. */
function documents(cases: Case[]) {
  const app = new OpenAPIHono();
  const paths: Record<string, Json> = {};
  for (const c of cases) {
    const operationId = `check.${c.name}`;
    const content = (schema: Json) => ({ 'application/json': { schema } });
    paths[`/check/${c.name}`] = {
      post:
        c.direction === 'request'
          ? {
              operationId,
              requestBody: { content: content(c.published) },
              responses: { 204: { description: 'ok' } },
            }
          : { operationId, responses: { 200: { description: 'ok', content: content(c.published) } } },
    };
    const route = createRoute({
      method: 'post',
      path: `/v1/check/${c.name}`,
      operationId,
      ...(c.direction === 'request'
        ? {
            request: { body: { content: content(c.atoll), required: true } },
            responses: { 204: { description: 'ok' } },
          }
        : { responses: { 200: { description: 'ok', content: content(c.atoll) } } }),
    });
    app.openapi(route, (ctx) => ctx.body(null, 204) as never);
  }
  const published = { paths, components: publishedDocument.components };
  const atoll = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 'check', version: '0' } });
  return { published, atoll: atoll as Json };
}

/**
 * A schema with its references replaced by what they name, an allOf merged, `required` sorted, and
 * (for Atoll's) the properties it describes as Atoll extensions left out.
 */
function inline(doc: Json, schema: Json, own: boolean): Json {
  if (Array.isArray(schema)) return schema.map((s) => inline(doc, s, own));
  if (schema === null || typeof schema !== 'object') return schema;
  if (typeof schema.$ref === 'string')
    return inline(doc, doc.components.schemas[schema.$ref.split('/').at(-1)], own);
  if (Array.isArray(schema.allOf)) {
    // Published DashboardRevisionMutationResponse: an allOf of closed objects, read as their union.
    const parts: Json[] = schema.allOf.map((p: Json) => inline(doc, p, own));
    return {
      ...Object.assign({}, ...parts.toReversed()),
      properties: Object.assign({}, ...parts.map((p) => p.properties)),
      required: parts.flatMap((p) => p.required ?? []).sort(),
    };
  }
  const out: Json = {};
  for (const [k, v] of Object.entries<Json>(schema)) {
    if (k === 'properties') {
      const kept = Object.entries<Json>(v).filter(([, p]) => !(own && /^Atoll/.test(p.description ?? '')));
      out[k] = Object.fromEntries(kept.map(([n, p]) => [n, inline(doc, p, own)]));
    } else if (k === 'required' && Array.isArray(v)) out[k] = [...v].sort();
    else out[k] = inline(doc, v, own);
  }
  return out;
}

describe('dashboard schemas against the published document', () => {
  const { published, atoll } = documents(CASES);

  for (const c of CASES)
    test(`${c.name} (${c.direction}) has no difference from the published shape`, () => {
      const own = { ...atoll, paths: { [`/v1/check/${c.name}`]: atoll.paths[`/v1/check/${c.name}`] } };
      assert.deepEqual(compareDocuments(published, own), []);
    });

  // The comparer leaves out bounds, patterns, defaults and descriptions; these must match too.
  for (const c of CASES)
    test(`${c.name} generates the published JSON Schema keyword for keyword`, () => {
      const op = atoll.paths[`/v1/check/${c.name}`].post;
      const own =
        c.direction === 'request'
          ? op.requestBody.content['application/json'].schema
          : op.responses[200].content['application/json'].schema;
      assert.deepEqual(inline(atoll, own, true), inline(published, c.published, false));
    });

  test('every published component of the family is checked', () => {
    const names = Object.keys(publishedDocument.components.schemas).filter(
      (n) =>
        /^(Dashboard|Widget|CreateDashboard|UpdateDashboard|ResolveDashboard)/.test(n) &&
        !/^Dashboard(Cluster|Install|Product|Region)/.test(n),
    );
    const checked = new Set(CASES.map((c) => c.published.$ref?.split('/').at(-1)));
    assert.deepEqual(
      names.filter((n) => !checked.has(n)),
      [],
    );
  });

  test('the comparison notices a widget whose col_span is any number', () => {
    const loose = Widget.options.map((o) => o.extend({ col_span: z.number() }));
    const wrong = documents([named('response', z.union(loose), 'Widget')]);
    const differences = compareDocuments(wrong.published, wrong.atoll);
    assert.ok(
      differences.some((d) => d.where.includes('.col_span')),
      JSON.stringify(differences, null, 1),
    );
  });
});

const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
ajv.addSchema(publishedDocument, 'akua');
const rewrite = (s: Json): Json =>
  Array.isArray(s)
    ? s.map(rewrite)
    : s && typeof s === 'object'
      ? Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === '$ref' ? `akua${v}` : rewrite(v)]))
      : s;

/** Whether the published schema, and Atoll's, accept `value`; they must agree. */
function judge(c: Case | string, value: unknown): boolean {
  const found = typeof c === 'string' ? CASES.find((x) => x.name === c) : c;
  assert.ok(found, `no case ${String(c)}`);
  const publishedValid = ajv.validate(rewrite(found.published), value);
  const parsed = found.atoll.safeParse(value);
  assert.equal(
    parsed.success,
    publishedValid,
    `${found.name}: published ${publishedValid ? 'accepts' : `refuses (${ajv.errorsText()})`}, Atoll ${
      parsed.success
        ? 'accepts'
        : `refuses (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`
    }`,
  );
  return parsed.success;
}

const accepts = (name: string, value: unknown) => assert.ok(judge(name, value));
const refuses = (name: string, value: unknown) => assert.equal(judge(name, value), false);

const T = 1_760_000_000;
const layout = {
  col_span: 2,
  height: 'standard',
  drill_down: null,
  visualization_options: {},
  freshness_policy: { mode: 'max_age', max_age_seconds: 300 },
};
const snippetWidget = {
  id: 'wgt_1',
  dashboard_id: 'dash_j572abc123def456',
  title: 'Pods',
  position: 0,
  ...layout,
  created_at: T,
  updated_at: T,
  etag: '3',
  widget_type: 'snippet',
  snippet_id: 'snp_1',
  snippet_etag: null,
  input_bindings: {
    cluster: { mode: 'inherit', filter_key: 'cluster' },
    window: { mode: 'inherit', filter_key: 'var.window' },
    limit: { mode: 'fixed', value: null },
    other: { mode: 'unbound' },
  },
  visualization: 'table',
  refresh_policy: { mode: 'interval', interval_seconds: 60 },
  display_type: null,
};
const { snippet_id, snippet_etag, input_bindings, visualization, refresh_policy, display_type, ...common } =
  snippetWidget;
const metricWidget = {
  ...common,
  widget_type: 'platform_metric',
  metric_key: 'cpu_usage',
  metric_version: 1,
  filter_bindings: { time: { mode: 'inherit', filter_key: 'time' } },
};

const filters = [
  { kind: 'time', key: 'time', label: 'Time' },
  { kind: 'comparison', key: 'comparison', label: 'Compare' },
  { kind: 'resource', key: 'cluster', resource: 'cluster', label: 'Cluster' },
  { kind: 'status', key: 'status', label: 'Status', options: ['ok', 'failing'] },
  { kind: 'variable', key: 'var.window', input: { key: 'window', label: 'Window', kind: 'number', min: 1 } },
];
const dashboard = {
  id: 'dash_j572abc123def456',
  html_url: 'https://akua.dev/dashboards/dash_j572abc123def456',
  name: 'Cluster Overview',
  description: null,
  workspace_id: 'ws_j572abc123def456',
  purpose: 'custom',
  filter_definitions: filters,
  default_filter_values: { time: { from: T - 3600, to: T } },
  active_revision_id: 'dashrev_1',
  widgets: [snippetWidget, metricWidget],
  created_by: 'usr_1',
  created_at: T,
  updated_at: T,
  etag: '7',
};
const {
  id: _id,
  dashboard_id: _d,
  created_at: _c,
  updated_at: _u,
  etag: _e,
  ...snippetSnapshot
} = snippetWidget;
const revision = {
  id: 'dashrev_2',
  dashboard_id: dashboard.id,
  workspace_id: dashboard.workspace_id,
  parent_revision_id: 'dashrev_1',
  restored_from_revision_id: null,
  source: 'manual',
  author_id: 'usr_1',
  summary: 'Added pods',
  name: dashboard.name,
  description: null,
  purpose: 'custom',
  filter_definitions: filters,
  default_filter_values: {},
  widgets: [{ ...snippetSnapshot, widget_id: 'wgt_1', snippet_etag: '4' }],
  structural_diff: {
    version: 1,
    dashboard_fields: ['name'],
    widgets: {
      added: { count: 1, widget_ids: ['wgt_1'] },
      removed: { count: 0, widget_ids: [] },
      changed: { count: 1, widgets: [{ widget_id: 'wgt_2', fields: ['title', 'col_span'] }] },
    },
  },
  snippet_etag_drift: [
    {
      widget_id: 'wgt_1',
      snippet_id: 'snp_1',
      snapshot_etag: '4',
      current_etag: '5',
      current_state: 'active',
      restore_action: 'none',
    },
  ],
  created_at: T,
};

describe('dashboard schemas parse what the published schemas accept', () => {
  test('a dashboard, a widget of each kind, a revision and its mutation response are valid', () => {
    accepts('Dashboard', dashboard);
    accepts('Widget', snippetWidget);
    accepts('Widget', metricWidget);
    accepts('DashboardList', { data: [dashboard], has_more: false, next_cursor: null });
    accepts('DashboardRevision', revision);
    // Published as allOf of two closed objects, which no value satisfies: each part refuses the
    // other's fields. Atoll's is the flat object the allOf means (DashboardRevision + dashboard_etag).
    const mutation = { ...revision, dashboard_etag: '8' };
    assert.equal(ajv.validate(rewrite(component('DashboardRevisionMutationResponse')), mutation), false);
    assert.ok(DashboardRevisionMutationResponse.safeParse(mutation).success);
    assert.equal(DashboardRevisionMutationResponse.safeParse(revision).success, false);
    accepts('DashboardRevision', { ...revision, structural_diff: null, snippet_etag_drift: [] });
  });

  test('a widget carrying the other kind’s field, or a revision with an unknown field, is refused', () => {
    refuses('Widget', { ...metricWidget, snippet_id: 'snp_1' });
    refuses('DashboardRevision', { ...revision, dashboard_etag: '8' });
    refuses('Widget', { ...snippetWidget, input_bindings: { x: { mode: 'fixed' } } });
    refuses('Widget', { ...snippetWidget, input_bindings: { x: { mode: 'inherit', filter_key: 'var.X' } } });
  });

  test('the dashboard create body takes legacy, snippet and metric widgets and fills the published defaults', () => {
    const body = {
      name: 'Cluster Overview',
      widgets: [
        { snippet_id: 'snp_1', display_type: 'table' },
        { widget_type: 'snippet', snippet_id: 'snp_2' },
        { widget_type: 'platform_metric', metric_key: 'cpu_usage', metric_version: 2, col_span: 4 },
      ],
    };
    accepts('CreateDashboardBody', body);
    const parsed = CreateDashboardBody.parse(body);
    assert.deepEqual(parsed.widgets?.[0], { snippet_id: 'snp_1', display_type: 'table', col_span: 2 });
    assert.deepEqual(parsed.widgets?.[1], {
      widget_type: 'snippet',
      snippet_id: 'snp_2',
      snippet_etag: null,
      col_span: 2,
      height: 'standard',
      drill_down: null,
      visualization_options: {},
      freshness_policy: { mode: 'provider_default' },
      input_bindings: {},
      visualization: null,
      refresh_policy: { mode: 'on_load' },
      display_type: null,
    });
    assert.equal((parsed.widgets?.[2] as Json).col_span, 4);
    assert.deepEqual((parsed.widgets?.[2] as Json).filter_bindings, {});
  });

  test('a request body with an unknown field is refused, naming the field', () => {
    refuses('CreateDashboardBody', { name: 'x', color: 'red' });
    refuses('UpdateDashboardBody', { name: 'x', widgets: [] });
    refuses('RestoreDashboardRevisionBody', { summary: null, force: true });
    refuses('CreateDashboardWidgetBody', { snippet_id: 'snp_1', col_span: 1, height: 'tall' });
    const issues = CreateDashboardWidgetBody.safeParse({
      widget_type: 'snippet',
      snippet_id: 'snp_1',
      col_span: 1,
      colour: 'red',
    }).error?.issues;
    assert.ok(
      issues?.some((i) => i.code === 'unrecognized_keys' && i.keys.includes('colour')),
      JSON.stringify(issues),
    );
  });

  test('col_span 5 (or 2.5, or "2") is refused', () => {
    for (const col_span of [5, 0, 2.5, '2']) {
      refuses('CreateDashboardWidgetBody', { snippet_id: 'snp_1', col_span });
      refuses('UpdateDashboardWidgetBody', { col_span });
      refuses('Widget', { ...snippetWidget, col_span });
    }
    const issues = CreateDashboardWidgetBody.safeParse({
      widget_type: 'platform_metric',
      metric_key: 'cpu',
      metric_version: 1,
      col_span: 5,
    }).error?.issues;
    assert.deepEqual(
      issues?.map((i) => i.path.join('.')),
      ['col_span'],
    );
  });

  test('widget create and update bodies follow the published variants', () => {
    accepts('CreateDashboardWidgetBody', {
      snippet_id: 'snp_1',
      col_span: 3,
      display_type: null,
      position: 1,
    });
    refuses('CreateDashboardWidgetBody', { snippet_id: 'snp_1' });
    refuses('CreateDashboardWidgetBody', { widget_type: 'chart', col_span: 1 });
    accepts('UpdateDashboardWidgetBody', {});
    accepts('UpdateDashboardWidgetBody', { title: null, position: 3 });
    accepts('UpdateDashboardWidgetBody', { widget_type: 'snippet', refresh_policy: { mode: 'manual' } });
    refuses('UpdateDashboardWidgetBody', { widget_type: 'snippet', snippet_id: 'snp_2' });
    refuses('UpdateDashboardWidgetBody', {
      widget_type: 'snippet',
      refresh_policy: { mode: 'interval', interval_seconds: 30 },
    });
    accepts('UpdateDashboardWidgetBody', { widget_type: 'platform_metric', metric_version: 3 });
    refuses('UpdateDashboardWidgetBody', { widget_type: 'platform_metric', metric_version: 0 });
  });

  test('a revision body holds whole widgets and filters; restore takes a summary or null', () => {
    const { widget_id: _w, position: _p, snippet_etag: _s, ...widget } = revision.widgets[0]!;
    const body = {
      name: 'n',
      description: null,
      filter_definitions: filters,
      default_filter_values: {},
      widgets: [widget],
    };
    accepts('CreateDashboardRevisionBody', body);
    accepts('CreateDashboardRevisionBody', {
      ...body,
      summary: 'why',
      widgets: [{ ...widget, widget_id: 'wgt_1' }],
    });
    refuses('CreateDashboardRevisionBody', { ...body, widgets: [{ ...widget, position: 0 }] });
    refuses('CreateDashboardRevisionBody', { ...body, widgets: [{ ...widget, title: null }] });
    refuses('CreateDashboardRevisionBody', {
      ...body,
      filter_definitions: [{ kind: 'variable', key: 'window', input: filters[4]!.input }],
    });
    refuses('CreateDashboardRevisionBody', { ...body, filter_definitions: Array(25).fill(filters[0]) });
    accepts('RestoreDashboardRevisionBody', { summary: null });
    refuses('RestoreDashboardRevisionBody', {});
  });

  test('a widget result resolution carries a run or null', () => {
    const resolution = {
      widget_id: 'wgt_1',
      snippet_etag: '4',
      inputs: {},
      input_hash: 'a'.repeat(64),
      cache_key: 'b'.repeat(64),
      result: null,
      freshness: { state: 'missing', observed_at: null, age_seconds: null, max_age_seconds: 300 },
      revalidation: { required: true, after: null },
    };
    accepts('DashboardWidgetResultResolution', resolution);
    refuses('DashboardWidgetResultResolution', { ...resolution, input_hash: 'A'.repeat(64) });
    accepts('ResolveDashboardWidgetResultBody', {
      widget: { id: 'wgt_1', dashboard_id: 'dash_1' },
      snippet_etag: '4',
      inputs: {},
    });
    refuses('ResolveDashboardWidgetResultBody', { widget: { id: 'wgt_1' }, snippet_etag: '4', inputs: {} });
  });
});
