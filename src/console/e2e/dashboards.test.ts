import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { noBrowser, startConsole, type ConsoleFixture } from './fixture.ts';

describe('the console dashboards in a real browser', { skip: noBrowser }, () => {
  let f: ConsoleFixture;
  before(async () => {
    f = await startConsole();
  });
  after(() => f?.close());

  /** A snippet with a result contract, returning `output` (a JS expression). */
  const snippet = async (name: string, type: string, visualization: string, output: string) => {
    const res = await f.h.request('POST', '/v1/snippets', {
      body: {
        name,
        display_type: type === 'table' ? 'table' : type === 'timeseries' ? 'timeseries' : 'stat',
        code: `async () => (${output})`,
        result_contract_version: 1,
        result_type: type,
        default_visualization: visualization,
      },
    });
    assert.equal(res.status, 201, res.text);
    return res.body.snippet_id as string;
  };

  const widgetsOf = async (id: string) => {
    const res = await f.h.request('GET', `/v1/dashboards/${id}`);
    assert.equal(res.status, 200, res.text);
    return res.body.widgets as Array<Record<string, any>>;
  };

  const widget = (page: Page, title: string) => page.getByRole('article', { name: title, exact: true });

  test('the overview is the workspace overview dashboard; the recommended metrics fill it with charts', async () => {
    const page = await f.signedIn('/');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    await page.getByText('No widgets yet').waitFor();
    await page.getByRole('button', { name: 'Add the recommended platform metrics' }).click();
    await widget(page, 'Snippet runs').locator('canvas[data-chart="bar"]').waitFor();
    await widget(page, 'Renders').locator('canvas[data-chart="bar"]').waitFor();
    await widget(page, 'Agent sessions in progress').locator('canvas').waitFor();
    // Sandboxes: used against the server's capacity (8 in the harness).
    await widget(page, 'Sandboxes in use').getByText('/ 8').waitFor();
    assert.match(await widget(page, 'Snippet runs').innerText(), /live · computed/);
    // The time filter's value is sent to resolve.
    const windowed = page.waitForRequest(
      (r) => r.url().includes(':resolve') && /"time":\{"from":\d+,"to":\d+\}/.test(r.postData() ?? ''),
    );
    await page.getByRole('combobox', { name: 'Time' }).selectOption('7d');
    await windowed;
    await widget(page, 'Snippet runs').locator('canvas').waitFor();
    // Below the grid, the way to create a dashboard.
    await page.getByRole('button', { name: 'Create dashboard' }).waitFor();
    await f.shot(page, 'dashboards-overview');
    await page.close();
  });

  test('create a dashboard, add snippet and metric widgets, change the layout, and restore a revision', async () => {
    const latency = await snippet(
      'Latency p95',
      'scalar',
      'stat',
      `{contract_version: 1, type: 'scalar', value: 42, unit: 'ms'}`,
    );
    const table = await snippet(
      'Slowest routes',
      'table',
      'table',
      `{contract_version: 1, type: 'table', columns: [{key: 'route', label: 'Route', kind: 'text'}, {key: 'ms', label: 'Time', kind: 'number', unit: 'ms'}], rows: [['/v1/installs', 120], ['/v1/agents', 85]]}`,
    );
    const series = await snippet(
      'Requests',
      'timeseries',
      'line',
      `{contract_version: 1, type: 'timeseries', series: [{key: 'ok', label: 'OK'}, {key: 'err', label: 'Errors'}], points: [0, 1, 2, 3, 4, 5].map((i) => ({timestamp: 1765000000 + i * 3600, values: [10 + i * 3, i % 2]}))}`,
    );
    const checks = await snippet(
      'Checks',
      'status_list',
      'status_list',
      `{contract_version: 1, type: 'status_list', items: [{key: 'db', label: 'Database', severity: 'success', detail: 'reachable'}, {key: 'disk', label: 'Disk', severity: 'warning', detail: '81% full'}]}`,
    );

    const page = await f.signedIn('/dashboards');
    page.on('dialog', (d) => d.accept());
    await page.getByRole('heading', { name: 'Dashboards', level: 1 }).waitFor();
    await page.getByLabel('Name').fill('On call');
    await page.getByLabel('Description').fill('What the on-call engineer looks at first');
    await page.getByRole('button', { name: 'Create dashboard' }).click();
    await page.waitForURL(/\/dashboards\/dash_[a-z0-9]+$/);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    await page.getByRole('heading', { name: 'On call', level: 1 }).waitFor();

    // Edit mode: add a snippet widget through the form, then a platform metric.
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'Add widget' }).click();
    await page.getByRole('combobox', { name: 'Snippet' }).selectOption({ label: 'Latency p95' });
    await page.getByLabel('Title').fill('Latency');
    await f.shot(page, 'dashboards-add-widget');
    await page.getByRole('button', { name: 'Add widget' }).last().click();
    await widget(page, 'Latency').getByText('42 ms').waitFor();

    await page.getByRole('button', { name: 'Add widget' }).first().click();
    await page.getByRole('radio', { name: 'Platform metric' }).check();
    await page.getByRole('combobox', { name: 'Metric' }).selectOption({ label: 'Snippet runs' });
    await page.getByRole('button', { name: 'Add widget' }).last().click();
    await widget(page, 'Snippet runs').locator('canvas[data-chart="bar"]').waitFor();
    // The snippet runs just made by the dashboard are counted.
    assert.match(await widget(page, 'Snippet runs').innerText(), /succeeded \d+|total/);

    // A time filter, added as a revision of the whole definition; the windowed metric now inherits it.
    await page.getByRole('button', { name: 'Add a time filter' }).click();
    await page.getByRole('combobox', { name: 'Time' }).waitFor();
    const metricWidget = (await widgetsOf(id)).find((w) => w.widget_type === 'platform_metric')!;
    assert.deepEqual(metricWidget.filter_bindings, { time: { mode: 'inherit', filter_key: 'time' } });

    // More visualizations, added through the API.
    for (const [snippet_id, title, col_span, height] of [
      [table, 'Slowest routes', 2, 'standard'],
      [series, 'Requests', 2, 'standard'],
      [checks, 'Checks', 2, 'compact'],
    ] as const) {
      const res = await f.h.request('POST', `/v1/dashboards/${id}/widgets`, {
        body: {
          widget_type: 'snippet',
          snippet_id,
          title,
          col_span,
          height,
          drill_down: null,
          visualization_options: {},
          freshness_policy: { mode: 'provider_default' },
          snippet_etag: null,
          input_bindings: {},
          visualization: null,
          refresh_policy: { mode: 'on_load' },
          display_type: null,
        },
      });
      assert.equal(res.status, 201, res.text);
    }
    await page.reload();
    await widget(page, 'Slowest routes').getByRole('cell', { name: '/v1/installs' }).waitFor();
    assert.match(await widget(page, 'Slowest routes').innerText(), /Time \(ms\)[\s\S]*120/i);
    await widget(page, 'Requests').locator('canvas[data-chart="line"]').waitFor();
    await widget(page, 'Checks').getByText('81% full').waitFor();
    await widget(page, 'Latency').getByText('42 ms').waitFor();
    assert.match(await widget(page, 'Latency').innerText(), /(cached|new run) · computed/);
    await widget(page, 'Snippet runs').locator('canvas').waitFor();
    await f.shot(page, 'dashboards-dashboard');

    // Refresh resolves every widget again with refresh: true.
    const refreshed = page.waitForResponse(
      (r) => r.url().includes(':resolve') && (r.request().postData() ?? '').includes('"refresh":true'),
    );
    await page.getByRole('button', { name: 'Refresh' }).click();
    assert.equal((await refreshed).status(), 200);

    // Layout: wider, then down one place; each is one PATCH with if-match, one revision.
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'Wider: Latency' }).click();
    await widget(page, 'Latency').getByText('3/4 · standard').waitFor();
    await page.getByRole('button', { name: 'Taller: Checks' }).click();
    await widget(page, 'Checks').getByText('2/4 · standard').waitFor();
    await page.getByRole('button', { name: 'Move down: Latency' }).click();
    // The grid follows the new order: Snippet runs first, Latency second.
    const inPlace = (n: number, title: string) =>
      page
        .locator('.widget-grid > article')
        .nth(n)
        .filter({ has: page.getByRole('heading', { name: title, exact: true }) })
        .waitFor();
    await inPlace(0, 'Snippet runs');
    await inPlace(1, 'Latency');
    let widgets = await widgetsOf(id);
    const latencyWidget = widgets.find((w) => w.title === 'Latency')!;
    assert.equal(latencyWidget.col_span, 3);
    assert.equal(latencyWidget.position, 1);
    await f.shot(page, 'dashboards-edit');

    // Revisions: the history names each change; restoring the one before "wider" undoes the layout.
    await page.getByRole('link', { name: 'Revisions' }).click();
    await page.waitForURL(/\/revisions$/);
    const items = page.getByRole('listitem', { name: /^Revision drev_/ });
    await items.first().waitFor();
    const revisions = (await f.h.request('GET', `/v1/dashboards/${id}/revisions`)).body.data as Array<any>;
    assert.equal(await items.count(), revisions.length);
    // Newest first: move, taller, wider, then the widgets added.
    const beforeWider = revisions[3];
    assert.deepEqual(beforeWider.widgets.find((w: any) => w.widget_id === latencyWidget.id).col_span, 2);
    await items.first().getByText('current').waitFor();
    assert.match(await items.first().innerText(), /Change widget “Latency”[\s\S]*position/);
    await f.shot(page, 'dashboards-revisions');
    await page.getByRole('button', { name: `Restore revision ${beforeWider.id}` }).click();
    await page.getByText(/^Restored as revision drev_/).waitFor();
    await items.first().getByText('restore', { exact: true }).waitFor();
    widgets = await widgetsOf(id);
    const restored = widgets.find((w) => w.id === latencyWidget.id)!;
    assert.equal(restored.col_span, 2);
    assert.equal(restored.position, 0);
    assert.equal(widgets.find((w) => w.title === 'Checks')!.height, 'compact');
    await page.close();
  });

  test('edit a widget: title, visualization and input binding in one save; a stale edit shows the server refusal', async () => {
    const res = await f.h.request('POST', '/v1/snippets', {
      body: {
        name: 'Traffic',
        display_type: 'timeseries',
        code: `async () => ({contract_version: 1, type: 'timeseries', series: [{key: 'rps', label: 'Requests/s'}], points: [0, 1, 2, 3, 4].map((i) => ({timestamp: 1765000000 + i * 3600, values: [5 + i]}))})`,
        result_contract_version: 1,
        result_type: 'timeseries',
        default_visualization: 'line',
        inputs: [{ key: 'window', label: 'Window', kind: 'time_range' }],
      },
    });
    assert.equal(res.status, 201, res.text);
    const created = await f.h.request('POST', '/v1/dashboards', {
      body: {
        name: 'Traffic board',
        widgets: [{ snippet_id: res.body.snippet_id, title: 'Traffic', col_span: 2 }],
      },
    });
    assert.equal(created.status, 201, created.text);
    const id = created.body.dashboard_id as string;
    const page = await f.signedIn(`/dashboards/${id}`);
    await widget(page, 'Traffic').locator('canvas[data-chart="line"]').waitFor();
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'Add a time filter' }).click();
    await page.getByRole('combobox', { name: 'Time' }).waitFor();
    const box = await widget(page, 'Traffic').boundingBox();
    const [before] = await widgetsOf(id);

    await page.getByRole('button', { name: 'Edit: Traffic' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit widget “Traffic”' });
    await dialog.getByText('returns timeseries').waitFor();
    // Only the visualizations that draw a time series are offered.
    const offered = await dialog.getByLabel('Visualization').locator('option').allInnerTexts();
    assert.deepEqual(offered, [
      "The snippet's default (line)",
      'line',
      'area',
      'bar',
      'sparkline',
      'table',
      'json',
    ]);
    await dialog.getByLabel('Title').fill('Traffic by hour');
    await dialog.getByLabel('Visualization').selectOption('bar');
    await dialog.getByLabel(/Window/).selectOption({ label: "The dashboard's Time filter" });
    await dialog
      .getByText('Saving changes title, visualization, input_bindings: one new revision.')
      .waitFor();
    await f.shot(page, 'dashboards-edit-widget');
    const patched = page.waitForRequest((r) => r.method() === 'PATCH' && r.url().includes('/widgets/'));
    await dialog.getByRole('button', { name: 'Save' }).click();
    assert.equal((await patched).headers()['if-match'], before!.etag);
    // Redrawn as bars in the same box.
    await widget(page, 'Traffic by hour').locator('canvas[data-chart="bar"]').waitFor();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.locator('canvas[data-chart="line"]').count(), 0);
    assert.deepEqual(await widget(page, 'Traffic by hour').boundingBox(), box);
    const [saved] = await widgetsOf(id);
    assert.equal(saved!.title, 'Traffic by hour');
    assert.equal(saved!.visualization, 'bar');
    assert.deepEqual(saved!.input_bindings, { window: { mode: 'inherit', filter_key: 'time' } });
    // The time filter now reaches the snippet's input.
    const bound = page.waitForResponse((r) => r.url().includes(`/widgets/${saved!.id}:resolve`));
    await page.getByRole('combobox', { name: 'Time' }).selectOption('7d');
    const run = (await (await bound).json()).result;
    assert.equal(run.inputs.window.to - run.inputs.window.from, 7 * 86400);
    await widget(page, 'Traffic by hour').locator('canvas[data-chart="bar"]').waitFor();

    // Refused: the widget changes elsewhere while the dialog is open; saving names the server's reason.
    await page.getByRole('button', { name: 'Edit: Traffic by hour' }).click();
    const again = page.getByRole('dialog', { name: 'Edit widget “Traffic by hour”' });
    await again.getByLabel('Visualization').waitFor();
    const elsewhere = await f.h.request('PATCH', `/v1/dashboards/${id}/widgets/${saved!.id}`, {
      body: { widget_type: 'snippet', height: 'tall' },
      headers: { 'if-match': saved!.etag },
    });
    assert.equal(elsewhere.status, 200, elsewhere.text);
    await again.getByLabel('Visualization').selectOption('area');
    await again.getByRole('button', { name: 'Save' }).click();
    await again
      .getByRole('alert')
      .getByText(/widget was changed since the etag you sent was read/)
      .waitFor();
    await again.getByText('The widget has been read again').waitFor();
    await f.shot(page, 'dashboards-edit-widget-refused');
    assert.equal((await widgetsOf(id))[0]!.visualization, 'bar');
    // Escape closes it, and the focus is back on the widget's Edit button.
    await page.keyboard.press('Escape');
    await again.waitFor({ state: 'detached' });
    assert.equal(
      await page.evaluate<string | null>(`document.activeElement?.getAttribute('aria-label') ?? null`),
      'Edit: Traffic by hour',
    );
    await widget(page, 'Traffic by hour').locator('canvas[data-chart="bar"]').waitFor();
    // The layout changed elsewhere shows too: the widget, now tall, read again.
    await widget(page, 'Traffic by hour').getByText('2/4 · tall').waitFor();
    await page.close();
  });

  test('a failing snippet widget shows the run error in its own box; the others still render; delete the dashboard', async () => {
    const bad = await snippet(
      'Broken',
      'scalar',
      'stat',
      `(() => { throw new Error('upstream is down') })()`,
    );
    const good = await snippet('Fine', 'scalar', 'stat', `{contract_version: 1, type: 'scalar', value: 7}`);
    const res = await f.h.request('POST', '/v1/dashboards', {
      body: {
        name: 'Mixed',
        widgets: [
          { snippet_id: bad, title: 'Broken', col_span: 2 },
          { snippet_id: good, title: 'Fine', col_span: 2 },
        ],
      },
    });
    assert.equal(res.status, 201, res.text);
    const page = await f.signedIn(`/dashboards/${res.body.dashboard_id}`);
    await widget(page, 'Broken')
      .getByRole('alert')
      .getByText(/upstream is down/)
      .waitFor();
    await widget(page, 'Fine').getByText('7', { exact: true }).waitFor();
    // Deleting it (edit mode, confirmed) goes back to the list, without it.
    page.on('dialog', (d) => d.accept());
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.getByRole('button', { name: 'Delete dashboard' }).click();
    await page.waitForURL(/\/dashboards$/);
    await page.getByRole('table').or(page.getByText('No dashboards yet')).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Mixed' }).count(), 0);
    assert.equal((await f.h.request('GET', `/v1/dashboards/${res.body.dashboard_id}`)).status, 404);
    await page.close();
  });
});
