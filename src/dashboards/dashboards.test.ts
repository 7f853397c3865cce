import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness, type TestResponse } from '../testing/harness.ts';
import { assertPublished } from '../testing/published-api.ts';

describe('dashboards', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  /** The response, after checking its status and that the published operation answers it so. */
  const published = (operationId: string, res: TestResponse, status: number): TestResponse => {
    assert.equal(res.status, status, res.text);
    return assertPublished(operationId, res);
  };

  const snippet = async (name: string, extra: Record<string, unknown> = {}) => {
    const res = await h.request('POST', '/v1/snippets', {
      body: { name, display_type: 'stat', code: 'async () => 1', ...extra },
    });
    assert.equal(res.status, 201, res.text);
    return res.body.snippet_id as string;
  };

  const dashboard = async (id: string) =>
    published('dashboards.get', await h.request('GET', `/v1/dashboards/${id}`), 200).body;

  let key = 0;
  const revisionHeaders = (etag: string) => ({ 'if-match': etag, 'idempotency-key': `k-${++key}` });

  test('create, read, list, rename and delete a dashboard; every change is one revision', async () => {
    const s = await snippet('cpu');
    const created = published(
      'dashboards.create',
      await h.request('POST', '/v1/dashboards', {
        body: {
          name: 'Ops',
          description: 'What on-call looks at',
          widgets: [
            { snippet_id: s, title: 'CPU', display_type: 'stat', col_span: 1 },
            { widget_type: 'snippet', snippet_id: s, col_span: 4, height: 'tall' },
          ],
        },
      }),
      201,
    );
    const id = created.body.dashboard_id as string;
    const d = await dashboard(id);
    assert.equal(d.purpose, 'custom');
    assert.equal(d.widgets.length, 2);
    assert.deepEqual(
      d.widgets.map((w: any) => [w.position, w.title, w.col_span, w.height, w.display_type]),
      [
        [0, 'CPU', 1, 'standard', 'stat'],
        [1, null, 4, 'tall', 'stat'],
      ],
    );
    const list = published('dashboards.list', await h.request('GET', '/v1/dashboards'), 200).body;
    assert.ok(list.data.some((x: any) => x.id === id));

    const stale = await h.request('PATCH', `/v1/dashboards/${id}`, {
      body: { name: 'Ops 2' },
      headers: { 'if-match': String(Number(d.etag) + 5) },
    });
    published('dashboards.update', stale, 409);
    const renamed = published(
      'dashboards.update',
      await h.request('PATCH', `/v1/dashboards/${id}`, {
        body: { name: 'Ops 2' },
        headers: { 'if-match': d.etag },
      }),
      200,
    );
    assert.equal(renamed.body.dashboard_id, id);
    const after = await dashboard(id);
    assert.equal(after.name, 'Ops 2');
    assert.notEqual(after.etag, d.etag);

    const unchanged = await h.request('PATCH', `/v1/dashboards/${id}`, {
      body: { name: 'Ops 2' },
      headers: { 'if-match': after.etag },
    });
    published('dashboards.update', unchanged, 200);
    assert.equal((await dashboard(id)).etag, after.etag, 'a patch that changes nothing writes nothing');
    const revisions = published(
      'dashboards.listRevisions',
      await h.request('GET', `/v1/dashboards/${id}/revisions`),
      200,
    ).body.data;
    assert.equal(revisions.length, 2, 'created, then renamed');
    assert.equal(revisions[0].id, after.active_revision_id);
    assert.deepEqual(revisions[0].structural_diff.dashboard_fields, ['name']);
    assert.equal(revisions[0].parent_revision_id, revisions[1].id);
    assert.equal(revisions[1].structural_diff, null);

    published(
      'dashboards.delete',
      await h.request('DELETE', `/v1/dashboards/${id}`, { headers: { 'if-match': d.etag } }),
      409,
    );
    published(
      'dashboards.delete',
      await h.request('DELETE', `/v1/dashboards/${id}`, { headers: { 'if-match': after.etag } }),
      204,
    );
    published('dashboards.get', await h.request('GET', `/v1/dashboards/${id}`), 404);
  });

  test('widgets: add at a position, read, move, change and remove, each a revision; etags guard writes', async () => {
    const a = await snippet('a', {
      inputs: [{ key: 'window', label: 'Window', kind: 'enum', options: ['1h', '24h'], default: '1h' }],
    });
    const id = (await h.request('POST', '/v1/dashboards', { body: { name: 'Widgets' } })).body.dashboard_id;
    const first = published(
      'dashboards.createWidget',
      await h.request('POST', `/v1/dashboards/${id}/widgets`, {
        body: { widget_type: 'snippet', snippet_id: a, col_span: 2, title: 'First' },
      }),
      201,
    ).body;
    const second = published(
      'dashboards.createWidget',
      await h.request('POST', `/v1/dashboards/${id}/widgets`, {
        body: {
          widget_type: 'snippet',
          snippet_id: a,
          col_span: 3,
          position: 0,
          input_bindings: { window: { mode: 'fixed', value: '24h' } },
        },
      }),
      201,
    ).body;
    const widgets = published(
      'dashboards.listWidgets',
      await h.request('GET', `/v1/dashboards/${id}/widgets`),
      200,
    ).body.data;
    assert.deepEqual(
      widgets.map((w: any) => [w.id, w.position]),
      [
        [second.id, 0],
        [first.id, 1],
      ],
    );
    const got = published(
      'dashboards.getWidget',
      await h.request('GET', `/v1/dashboards/${id}/widgets/${first.id}`),
      200,
    ).body;
    assert.equal(got.title, 'First');
    published(
      'dashboards.updateWidget',
      await h.request('PATCH', `/v1/dashboards/${id}/widgets/${first.id}`, {
        body: { widget_type: 'snippet', title: 'Stale' },
        headers: { 'if-match': '99' },
      }),
      409,
    );
    const moved = published(
      'dashboards.updateWidget',
      await h.request('PATCH', `/v1/dashboards/${id}/widgets/${first.id}`, {
        body: { widget_type: 'snippet', title: 'Moved', position: 0 },
        headers: { 'if-match': got.etag },
      }),
      200,
    ).body;
    assert.equal(moved.title, 'Moved');
    assert.equal(moved.position, 0);
    assert.notEqual(moved.etag, got.etag);
    published(
      'dashboards.deleteWidget',
      await h.request('DELETE', `/v1/dashboards/${id}/widgets/${second.id}`, {
        headers: { 'if-match': second.etag },
      }),
      204,
    );
    const left = (await dashboard(id)).widgets;
    assert.deepEqual(
      left.map((w: any) => [w.id, w.position]),
      [[first.id, 0]],
    );
    published(
      'dashboards.getWidget',
      await h.request('GET', `/v1/dashboards/${id}/widgets/${second.id}`),
      404,
    );
    const revisions = (await h.request('GET', `/v1/dashboards/${id}/revisions`)).body.data;
    assert.equal(revisions.length, 5, 'created, two added, one changed, one removed');
    assert.deepEqual(revisions[0].structural_diff.widgets.removed.widget_ids, [second.id]);
    assert.deepEqual(revisions[1].structural_diff.widgets.changed.widgets[0].widget_id, first.id);
  });

  test('bad widgets are refused with the field at fault, and change nothing', async () => {
    const s = await snippet('bad', {
      inputs: [{ key: 'window', label: 'Window', kind: 'enum', options: ['1h'], default: '1h' }],
    });
    const id = (await h.request('POST', '/v1/dashboards', { body: { name: 'Bad' } })).body.dashboard_id;
    const before = await dashboard(id);
    const cases: Array<[Record<string, unknown>, string[], RegExp]> = [
      [
        { widget_type: 'snippet', snippet_id: 'snp_missing', col_span: 2 },
        ['body', 'snippet_id'],
        /not found/,
      ],
      [{ widget_type: 'snippet', snippet_id: s, col_span: 2, position: 3 }, ['body', 'position'], /0 to 0/],
      [
        { widget_type: 'snippet', snippet_id: s, col_span: 2, input_bindings: { nope: { mode: 'unbound' } } },
        ['body', 'input_bindings', 'nope'],
        /no input nope/,
      ],
      [
        {
          widget_type: 'snippet',
          snippet_id: s,
          col_span: 2,
          input_bindings: { window: { mode: 'inherit', filter_key: 'time' } },
        },
        ['body', 'input_bindings', 'window'],
        /does not define/,
      ],
      [
        { widget_type: 'platform_metric', metric_key: 'runs_by_state', metric_version: 1, col_span: 2 },
        ['body', 'metric_key'],
        /computes no metric runs_by_state; it computes snippet_runs_by_state/,
      ],
      [
        {
          widget_type: 'platform_metric',
          metric_key: 'snippet_runs_by_state',
          metric_version: 2,
          col_span: 2,
        },
        ['body', 'metric_version'],
        /version 1, not 2/,
      ],
      [
        {
          widget_type: 'platform_metric',
          metric_key: 'sandboxes_in_use',
          metric_version: 1,
          col_span: 2,
          filter_bindings: { time: { mode: 'unbound' } },
        },
        ['body', 'filter_bindings', 'time'],
        /takes no filter bindings/,
      ],
    ];
    for (const [body, path, message] of cases) {
      const res = await h.request('POST', `/v1/dashboards/${id}/widgets`, { body });
      published('dashboards.createWidget', res, 422);
      assert.deepEqual(res.body.errors[0].path, path, res.text);
      assert.match(res.body.errors[0].message, message);
    }
    // A snippet of another workspace is not found from this one.
    const other = await h.newWorkspace('elsewhere');
    const foreign = await h.request('POST', '/v1/snippets', {
      body: { name: 'foreign', display_type: 'stat', code: 'async () => 1' },
      token: other.token,
    });
    assert.equal(foreign.status, 201, foreign.text);
    const res = await h.request('POST', `/v1/dashboards/${id}/widgets`, {
      body: { widget_type: 'snippet', snippet_id: foreign.body.snippet_id, col_span: 2 },
    });
    published('dashboards.createWidget', res, 422);
    assert.deepEqual(res.body.errors[0].path, ['body', 'snippet_id']);
    // Nor is this workspace's dashboard from the other one.
    assert.equal((await h.request('GET', `/v1/dashboards/${id}`, { token: other.token })).status, 404);
    const after = await dashboard(id);
    assert.equal(after.etag, before.etag, 'nothing was written');
    assert.equal((await h.request('GET', `/v1/dashboards/${id}/revisions`)).body.data.length, 1);
  });

  test('a revision replaces the whole definition; restoring an old one is a new revision; filters bind inputs', async () => {
    const s = await snippet('rev', {
      inputs: [{ key: 'window', label: 'Window', kind: 'enum', options: ['1h', '24h'], default: '1h' }],
    });
    const id = (
      await h.request('POST', '/v1/dashboards', {
        body: { name: 'Rev', widgets: [{ snippet_id: s, col_span: 2 }] },
      })
    ).body.dashboard_id;
    const d = await dashboard(id);
    const keepId = d.widgets[0].id;
    // A revision body lists every widget whole, as published.
    const whole = {
      widget_type: 'snippet',
      height: 'standard',
      drill_down: null,
      visualization_options: {},
      freshness_policy: { mode: 'provider_default' },
      input_bindings: {},
      visualization: null,
      refresh_policy: { mode: 'on_load' },
      display_type: 'stat',
    };
    const body = {
      name: 'Rev 2',
      description: 'with filters',
      filter_definitions: [
        { kind: 'time', key: 'time', label: 'Time' },
        { kind: 'status', key: 'status', label: 'Status', options: ['ok', 'failing'] },
      ],
      default_filter_values: { status: 'ok' },
      widgets: [
        {
          ...whole,
          widget_id: keepId,
          snippet_id: s,
          col_span: 4,
          input_bindings: { window: { mode: 'inherit', filter_key: 'time' } },
        },
        { ...whole, snippet_id: s, col_span: 1 },
      ],
      summary: 'Add filters',
    };
    published(
      'dashboards.createRevision',
      await h.request('POST', `/v1/dashboards/${id}/revisions`, { body, headers: { 'if-match': d.etag } }),
      422,
    );
    const created = published(
      'dashboards.createRevision',
      await h.request('POST', `/v1/dashboards/${id}/revisions`, { body, headers: revisionHeaders(d.etag) }),
      201,
    ).body;
    assert.equal(created.source, 'manual');
    assert.equal(created.summary, 'Add filters');
    assert.deepEqual(created.structural_diff.widgets.changed.widgets, [
      { widget_id: keepId, fields: ['col_span', 'input_bindings'] },
    ]);
    assert.equal(created.structural_diff.widgets.added.count, 1);
    assert.deepEqual(created.structural_diff.dashboard_fields, [
      'name',
      'description',
      'filter_definitions',
      'default_filter_values',
    ]);
    const now = await dashboard(id);
    assert.equal(now.etag, created.dashboard_etag);
    assert.equal(now.widgets[0].id, keepId, 'widget_id keeps the widget');
    assert.equal(now.filter_definitions.length, 2);

    const revisions = (await h.request('GET', `/v1/dashboards/${id}/revisions`)).body.data;
    const first = revisions[revisions.length - 1];
    const one = published(
      'dashboards.getRevision',
      await h.request('GET', `/v1/dashboards/${id}/revisions/${first.id}`),
      200,
    ).body;
    assert.equal(one.name, 'Rev');
    assert.equal(one.snippet_etag_drift[0].current_state, 'active');
    assert.equal(one.snippet_etag_drift[0].restore_action, 'none');
    published(
      'dashboards.getRevision',
      await h.request('GET', `/v1/dashboards/${id}/revisions/drev_nope`),
      404,
    );

    const restored = published(
      'dashboards.restoreRevision',
      await h.request('POST', `/v1/dashboards/${id}/revisions/${first.id}:restore`, {
        body: { summary: 'Back' },
        headers: revisionHeaders(now.etag),
      }),
      201,
    ).body;
    assert.equal(restored.source, 'restore');
    assert.equal(restored.restored_from_revision_id, first.id);
    const back = await dashboard(id);
    assert.equal(back.name, 'Rev');
    assert.equal(back.widgets.length, 1);
    assert.equal(back.filter_definitions.length, 0);
    assert.equal((await h.request('GET', `/v1/dashboards/${id}/revisions`)).body.data.length, 3);

    // A binding to a filter the dashboard does not define is refused, naming the widget's input.
    const bad = await h.request('POST', `/v1/dashboards/${id}/revisions`, {
      body: { ...body, filter_definitions: [] },
      headers: revisionHeaders(back.etag),
    });
    published('dashboards.createRevision', bad, 422);
    assert.deepEqual(bad.body.errors[0].path, ['body', 'widgets', '0', 'input_bindings', 'window']);
  });

  test('the workspace overview: one per workspace, made on first read, not deletable, workspace snippets only', async () => {
    const first = published(
      'dashboards.getWorkspaceOverview',
      await h.request('GET', '/v1/dashboards/workspace_overview'),
      200,
    ).body;
    const again = (await h.request('GET', '/v1/dashboards/workspace_overview')).body;
    assert.equal(first.purpose, 'workspace_overview');
    assert.equal(again.id, first.id);
    published(
      'dashboards.delete',
      await h.request('DELETE', `/v1/dashboards/${first.id}`, { headers: { 'if-match': first.etag } }),
      409,
    );
    const s = await snippet('shared');
    const added = published(
      'dashboards.createWidget',
      await h.request('POST', `/v1/dashboards/${first.id}/widgets`, {
        body: { widget_type: 'snippet', snippet_id: s, col_span: 2 },
      }),
      201,
    ).body;
    assert.equal(added.dashboard_id, first.id);
  });

  test('snippet usage lists the dashboards that use a snippet; such a snippet cannot be archived', async () => {
    const s = await snippet('used');
    const unused = await snippet('unused');
    const id = (
      await h.request('POST', '/v1/dashboards', {
        body: { name: 'Usage', widgets: [{ snippet_id: s, col_span: 2 }] },
      })
    ).body.dashboard_id;
    const usage = (await h.request('GET', `/v1/snippets/${s}:usage`)).body;
    assertPublished('snippets.getUsage', { status: 200, body: usage, text: JSON.stringify(usage) });
    assert.equal(usage.dashboard_count, 1);
    assert.equal(usage.dashboards[0].id, id);
    assert.equal(usage.dashboards[0].name, 'Usage');
    const all = published('snippets.listUsage', await h.request('GET', '/v1/snippets:usage'), 200).body.data;
    assert.equal(all.find((u: any) => u.snippet_id === unused).dashboard_count, 0);
    const snip = (await h.request('GET', `/v1/snippets/${s}`)).body;
    const archive = await h.request('DELETE', `/v1/snippets/${s}`, { headers: { 'if-match': snip.etag } });
    assert.equal(archive.status, 409, archive.text);
    assert.match(archive.text, new RegExp(id));
    const d = await dashboard(id);
    await h.request('DELETE', `/v1/dashboards/${id}/widgets/${d.widgets[0].id}`, {
      headers: { 'if-match': d.widgets[0].etag },
    });
    assert.equal(
      (await h.request('DELETE', `/v1/snippets/${s}`, { headers: { 'if-match': snip.etag } })).status,
      204,
    );
  });

  test("resetToRecommended gives Atoll's platform metrics, which resolve to figures over the workspace's own data", async () => {
    const id = (await h.request('POST', '/v1/dashboards', { body: { name: 'Reset' } })).body.dashboard_id;
    const before = await dashboard(id);
    published(
      'dashboards.resetToRecommended',
      await h.request('POST', `/v1/dashboards/${id}:resetToRecommended`, { headers: revisionHeaders('99') }),
      409,
    );
    const reset = published(
      'dashboards.resetToRecommended',
      await h.request('POST', `/v1/dashboards/${id}:resetToRecommended`, {
        headers: revisionHeaders(before.etag),
      }),
      201,
    ).body;
    assert.equal(reset.source, 'reset');
    const d = await dashboard(id);
    assert.deepEqual(
      d.widgets.map((w: any) => w.metric_key),
      ['snippet_runs_by_state', 'install_renders_by_state', 'agent_sessions_active', 'sandboxes_in_use'],
    );
    assert.deepEqual(
      d.filter_definitions.map((f: any) => f.key),
      ['time'],
    );
    const s = await snippet('counted', { code: 'async () => { throw new Error("no") }' });
    await h.request('POST', `/v1/snippets/${s}/runs`, {});
    await h.request('POST', `/v1/snippets/${s}/runs`, {});
    const resolve = async (widgetId: string, body: Record<string, unknown> = {}) => {
      const res = await h.request('POST', `/v1/dashboards/${id}/widgets/${widgetId}:resolve`, { body });
      assert.equal(res.status, 200, res.text);
      return res.body;
    };
    const runs = await resolve(d.widgets[0].id);
    assert.equal(runs.metric_key, 'snippet_runs_by_state');
    assert.equal(runs.value.kind, 'by_state');
    assert.ok(runs.value.counts.failed >= 2, JSON.stringify(runs.value));
    assert.equal(
      runs.value.total,
      runs.value.counts.succeeded + runs.value.counts.failed + runs.value.counts.timed_out,
    );
    assert.ok(runs.window.to - runs.window.from === 86400, 'the last 24 hours by default');
    const past = await resolve(d.widgets[0].id, { filter_values: { time: { from: 1000, to: 2000 } } });
    assert.equal(past.value.total, 0, 'a window in 1970 holds no runs');
    assert.deepEqual(past.window, { from: 1000, to: 2000 });
    const badWindow = await h.request('POST', `/v1/dashboards/${id}/widgets/${d.widgets[0].id}:resolve`, {
      body: { filter_values: { time: '24h' } },
    });
    assert.equal(badWindow.status, 422, badWindow.text);
    assert.deepEqual(badWindow.body.errors[0].path, ['body', 'filter_values', 'time']);
    const sessions = await resolve(d.widgets[2].id);
    assert.equal(sessions.window, null);
    assert.equal(sessions.value.kind, 'by_state');
    const sandboxes = await resolve(d.widgets[3].id);
    assert.deepEqual(sandboxes.value, { kind: 'usage', used: 0, limit: 8 });
  });

  test("a widget's result is a real run, served again while fresh, per inputs and per viewer; refresh runs again", async () => {
    const s = await snippet('echo', {
      code: 'async (inputs) => ({ window: inputs.window })',
      display_type: 'json',
      inputs: [{ key: 'window', label: 'Window', kind: 'enum', options: ['1h', '24h'], default: '1h' }],
    });
    const id = (await h.request('POST', '/v1/dashboards', { body: { name: 'Results' } })).body.dashboard_id;
    const d = await dashboard(id);
    // A filter the widget's input inherits, with a default.
    const revised = await h.request('POST', `/v1/dashboards/${id}/revisions`, {
      body: {
        name: 'Results',
        description: '',
        filter_definitions: [
          {
            kind: 'variable',
            key: 'var.window',
            input: { key: 'window', label: 'Window', kind: 'enum', options: ['1h', '24h'], default: '1h' },
          },
        ],
        default_filter_values: { 'var.window': '1h' },
        widgets: [
          {
            widget_type: 'snippet',
            snippet_id: s,
            col_span: 2,
            height: 'standard',
            drill_down: null,
            visualization_options: {},
            freshness_policy: { mode: 'max_age', max_age_seconds: 60 },
            input_bindings: { window: { mode: 'inherit', filter_key: 'var.window' } },
            visualization: null,
            refresh_policy: { mode: 'on_load' },
            display_type: 'json',
          },
        ],
      },
      headers: revisionHeaders(d.etag),
    });
    assert.equal(revised.status, 201, revised.text);
    const widgetId = (await dashboard(id)).widgets[0].id;
    const resolve = async (body: Record<string, unknown>, token?: string) => {
      const res = await h.request('POST', `/v1/dashboards/${id}/widgets/${widgetId}:resolve`, {
        body,
        ...(token ? { token } : {}),
      });
      assert.equal(res.status, 200, res.text);
      return res.body;
    };
    const first = await resolve({});
    assert.deepEqual(first.inputs, { window: '1h' }, "the filter's default");
    assert.equal(first.result.source, 'dashboard_open');
    assert.deepEqual(first.result.output, { window: '1h' });
    assert.equal(first.result.dashboard_id, id);
    assert.equal(first.result.dashboard_name, 'Results');
    assert.equal(first.result.widget_id, widgetId);
    assert.equal(first.freshness.state, 'fresh');
    assert.equal(first.freshness.max_age_seconds, 60);
    assert.match(first.cache_key, /^[0-9a-f]{64}$/);
    const again = await resolve({});
    assert.equal(again.result.id, first.result.id, 'a fresh result is served again');
    const bare = await h.request('POST', `/v1/dashboards/${id}/widgets/${widgetId}:resolve`);
    assert.equal(bare.status, 200, bare.text);
    assert.equal(bare.body.result.id, first.result.id, 'no body: the default filters, served from the cache');
    assert.equal(again.cache_key, first.cache_key);
    const other = await resolve({ filter_values: { 'var.window': '24h' } });
    assert.notEqual(other.result.id, first.result.id, 'other inputs, another run');
    assert.deepEqual(other.result.output, { window: '24h' });
    const refreshed = await resolve({ refresh: true });
    assert.notEqual(refreshed.result.id, first.result.id);
    assert.equal(refreshed.result.source, 'dashboard_refresh');
    // Another viewer never gets this viewer's result.
    const viewer = await h.request('POST', '/v1/api_tokens', { body: { name: 'viewer' } });
    assert.equal(viewer.status, 201, viewer.text);
    const theirs = await resolve({}, viewer.body.token);
    assert.notEqual(theirs.cache_key, first.cache_key);
    assert.notEqual(theirs.result.id, refreshed.result.id);
    // Concurrent resolutions of one key run the snippet once.
    const runsBefore = (await h.request('GET', `/v1/snippets/${s}/runs?limit=100`)).body.data.length;
    const burst = await Promise.all(
      Array.from({ length: 5 }, () => resolve({ filter_values: { 'var.window': '24h' }, refresh: true })),
    );
    assert.equal(new Set(burst.map((b) => b.result.id)).size, 1);
    const runsAfter = (await h.request('GET', `/v1/snippets/${s}/runs?limit=100`)).body.data.length;
    assert.equal(runsAfter, runsBefore + 1);
    // A filter the dashboard does not define is refused.
    const bad = await h.request('POST', `/v1/dashboards/${id}/widgets/${widgetId}:resolve`, {
      body: { filter_values: { status: 'ok' } },
    });
    assert.equal(bad.status, 422, bad.text);
    assert.deepEqual(bad.body.errors[0].path, ['body', 'filter_values', 'status']);
  });

  test("pinning an agent's widget.created: the event's snippet becomes a widget of a dashboard", async () => {
    const s = await snippet('agent tile', { visibility: 'session' });
    const agent = await h.request('POST', '/v1/agents', {
      body: { name: 'pinner', instructions: 'i', capabilities: ['CHAT'] },
    });
    const session = await h.request('POST', '/v1/agent_sessions', { body: { agent_id: agent.body.id } });
    const turn = await h.request('POST', '/v1/agent_turns', {
      body: { session_id: session.body.id, message: 'hi' },
    });
    assert.equal(turn.status, 201, turn.text);
    await h.request('POST', `/v1/snippets/${s}/runs`, { body: { agent_turn_id: turn.body.id } });
    const event = (await h.request('GET', `/v1/agent_events?turn=${turn.body.id}`)).body.data[0];
    assert.equal(event.type, 'widget.created');
    const id = (await h.request('POST', '/v1/dashboards', { body: { name: 'Pinned' } })).body.dashboard_id;
    const pinned = await h.request('POST', `/v1/dashboards/${id}/widgets`, {
      body: {
        widget_type: 'snippet',
        snippet_id: event.data.snippet_run.snippet_id,
        col_span: 2,
        title: event.data.title,
      },
    });
    published('dashboards.createWidget', pinned, 201);
    assert.equal(pinned.body.snippet_id, s);
    // A session snippet is not for the workspace overview, which everyone sees.
    const overview = (await h.request('GET', '/v1/dashboards/workspace_overview')).body;
    const refused = await h.request('POST', `/v1/dashboards/${overview.id}/widgets`, {
      body: { widget_type: 'snippet', snippet_id: s, col_span: 2 },
    });
    published('dashboards.createWidget', refused, 422);
    assert.match(refused.body.errors[0].message, /agent session/);
  });
});
