import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../testing/harness.ts';
import { recordRun, type NewSnippetRun } from './store.ts';

const RUN_FIELDS = [
  'agent_session_id',
  'agent_turn_id',
  'created_at',
  'dashboard_id',
  'dashboard_name',
  'default_visualization',
  'duration_ms',
  'etag',
  'id',
  'inputs',
  'overrides',
  'result_contract_version',
  'result_type',
  'run_by',
  'snippet_etag',
  'snippet_id',
  'snippet_name',
  'source',
  'state',
  'stats',
  'widget_id',
  'widget_title',
];

describe('snippet runs', () => {
  let h: Harness;
  let ws: { id: string; token: string };
  let legacy: string;
  let contract: string;
  /** Run ids in the order they were recorded. */
  const runs: Record<string, string> = {};

  /** A finished run of a snippet of `ws`, as the executor would record it. */
  function run(snippetId: string, changes: Partial<NewSnippetRun> = {}): NewSnippetRun {
    return {
      workspace_id: ws.id,
      snippet_id: snippetId,
      source: 'manual',
      snippet_name: 'Audit',
      snippet_etag: '1',
      dashboard_id: null,
      dashboard_name: null,
      widget_id: null,
      widget_title: null,
      run_by: 'tok_test',
      agent_session_id: null,
      agent_turn_id: null,
      state: 'succeeded',
      inputs: { limit: 5 },
      output: { rows: [1, 2] },
      error: null,
      duration_ms: 12.5,
      stats: { cpu_time_ms: 3, wall_time_ms: 12.5, heap_used_bytes: 1024 },
      result_contract_version: null,
      result_type: null,
      default_visualization: null,
      ...changes,
    };
  }

  const list = (path: string) => h.request('GET', path, { token: ws.token });
  const ids = (res: { body: { data: Array<{ id: string }> } }) => res.body.data.map((r) => r.id);

  before(async () => {
    h = await startHarness();
    ws = await h.newWorkspace('runs');
    const create = async (body: object) =>
      (await h.request('POST', '/v1/snippets', { token: ws.token, body })).body.snippet_id as string;
    legacy = await create({ name: 'Audit', code: 'async () => 1', display_type: 'json' });
    contract = await create({
      name: 'Count',
      code: 'async () => 1',
      display_type: 'stat',
      result_contract_version: 1,
      result_type: 'scalar',
      default_visualization: 'stat',
    });
    const db = h.database.db;
    runs.ok = (await recordRun(db, run(legacy))).id;
    runs.failed = (
      await recordRun(
        db,
        run(legacy, {
          state: 'failed',
          output: undefined,
          error: { code: 'snippet_error', message: 'boom', details: { line: 1 } },
          source: 'dashboard_open',
          dashboard_id: 'dash_1',
          dashboard_name: 'Ops',
          widget_id: 'wdg_1',
          widget_title: 'Audit',
        }),
      )
    ).id;
    runs.timedOut = (
      await recordRun(db, run(legacy, { state: 'timed_out', output: null, source: 'agent' }))
    ).id;
    runs.contract = (
      await recordRun(
        db,
        run(contract, {
          snippet_name: 'Count',
          output: { contract_version: 1, type: 'scalar', value: 42 },
          result_contract_version: 1,
          result_type: 'scalar',
          default_visualization: 'stat',
          overrides: { legacy: true },
          agent_session_id: 'ags_1',
          agent_turn_id: 'trn_1',
        }),
      )
    ).id;
  });
  after(() => h.close());

  test('a recorded run has an snr_ id and every SnippetRun field, without output or error in the basic view', async () => {
    const res = await list(`/v1/snippets/${legacy}/runs`);
    assert.equal(res.status, 200);
    const basic = res.body.data.find((r: any) => r.id === runs.ok);
    assert.match(runs.ok!, /^snr_[a-z2-7]{26}$/);
    assert.deepEqual(Object.keys(basic).sort(), RUN_FIELDS);
    assert.deepEqual(
      { ...basic, id: 'x', created_at: 0 },
      {
        id: 'x',
        snippet_id: legacy,
        source: 'manual',
        snippet_name: 'Audit',
        snippet_etag: '1',
        dashboard_id: null,
        dashboard_name: null,
        widget_id: null,
        widget_title: null,
        run_by: 'tok_test',
        agent_session_id: null,
        agent_turn_id: null,
        state: 'succeeded',
        inputs: { limit: 5 },
        overrides: {},
        duration_ms: 12.5,
        stats: { cpu_time_ms: 3, wall_time_ms: 12.5, heap_used_bytes: 1024 },
        created_at: 0,
        etag: '1',
        result_contract_version: null,
        result_type: null,
        default_visualization: null,
      },
    );
    assert.ok(Number.isInteger(basic.created_at) && basic.created_at > 1_600_000_000);
  });

  test("a snippet's runs are listed newest first, and only that snippet's", async () => {
    assert.deepEqual(ids(await list(`/v1/snippets/${legacy}/runs`)), [runs.timedOut, runs.failed, runs.ok]);
    assert.deepEqual(ids(await list(`/v1/snippets/${contract}/runs`)), [runs.contract]);
  });

  test('view=full adds the output, and the error of a run that failed', async () => {
    const res = await list(`/v1/snippets/${legacy}/runs?view=full`);
    const byId = Object.fromEntries(res.body.data.map((r: any) => [r.id, r]));
    assert.deepEqual(byId[runs.ok!].output, { rows: [1, 2] });
    assert.ok(!('error' in byId[runs.ok!]), 'a succeeded run has no error');
    assert.equal(byId[runs.failed!].output, null);
    assert.deepEqual(byId[runs.failed!].error, {
      code: 'snippet_error',
      message: 'boom',
      details: { line: 1 },
    });
    assert.equal(byId[runs.timedOut!].output, null);
  });

  test('the state filter narrows a snippet run list', async () => {
    assert.deepEqual(ids(await list(`/v1/snippets/${legacy}/runs?state=failed`)), [runs.failed]);
    assert.deepEqual(ids(await list(`/v1/snippets/${contract}/runs?state=failed`)), []);
  });

  test('run lists page with a cursor', async () => {
    const first = await list(`/v1/snippets/${legacy}/runs?limit=2`);
    assert.deepEqual(ids(first), [runs.timedOut, runs.failed]);
    assert.equal(first.body.has_more, true);
    const second = await list(`/v1/snippets/${legacy}/runs?limit=2&cursor=${first.body.next_cursor}`);
    assert.deepEqual(ids(second), [runs.ok]);
    assert.equal(second.body.has_more, false);
    const history = await list('/v1/snippet_runs?limit=3');
    assert.equal(history.body.has_more, true);
    const rest = await list(`/v1/snippet_runs?limit=3&cursor=${history.body.next_cursor}`);
    assert.deepEqual(ids(rest), [runs.ok]);
  });

  test('the workspace history lists every run newest first and filters by state, source, snippet and dashboard', async () => {
    assert.deepEqual(ids(await list('/v1/snippet_runs')), [
      runs.contract,
      runs.timedOut,
      runs.failed,
      runs.ok,
    ]);
    assert.deepEqual(ids(await list('/v1/snippet_runs?state=timed_out')), [runs.timedOut]);
    assert.deepEqual(ids(await list('/v1/snippet_runs?source=dashboard_open')), [runs.failed]);
    assert.deepEqual(ids(await list(`/v1/snippet_runs?snippet=${contract}`)), [runs.contract]);
    assert.deepEqual(ids(await list('/v1/snippet_runs?dashboard=dash_1')), [runs.failed]);
    assert.deepEqual(ids(await list(`/v1/snippet_runs?snippet=${legacy}&source=manual&state=succeeded`)), [
      runs.ok,
    ]);
    const full = await list('/v1/snippet_runs?source=dashboard_open&view=full');
    assert.equal(full.body.data[0].error.message, 'boom');
    const basic = await list('/v1/snippet_runs?source=dashboard_open');
    assert.ok(!('error' in basic.body.data[0]) && !('output' in basic.body.data[0]));
  });

  test('a single run is always the full view, by snippet or by workspace', async () => {
    for (const path of [
      `/v1/snippets/${contract}/runs/${runs.contract}`,
      `/v1/snippet_runs/${runs.contract}`,
    ]) {
      const res = await list(path);
      assert.equal(res.status, 200, path);
      const r = res.body;
      assert.deepEqual(r.output, { contract_version: 1, type: 'scalar', value: 42 });
      assert.deepEqual(
        [r.result_contract_version, r.result_type, r.default_visualization],
        [1, 'scalar', 'stat'],
      );
      assert.deepEqual(r.overrides, { legacy: true });
      assert.deepEqual([r.agent_session_id, r.agent_turn_id], ['ags_1', 'trn_1']);
    }
    const failed = (await list(`/v1/snippet_runs/${runs.failed}`)).body;
    assert.deepEqual(
      [failed.source, failed.dashboard_id, failed.dashboard_name, failed.widget_id, failed.widget_title],
      ['dashboard_open', 'dash_1', 'Ops', 'wdg_1', 'Audit'],
    );
  });

  test("a run is 404 under another snippet, and an unknown snippet's runs are 404", async () => {
    const res = await list(`/v1/snippets/${contract}/runs/${runs.ok}`);
    assert.equal(res.status, 404);
    assert.equal((await list('/v1/snippets/snp_unknown/runs')).status, 404);
    assert.equal((await list('/v1/snippet_runs/snr_unknown')).status, 404);
  });

  test('another workspace sees none of these runs: 404 by id, absent from its lists', async () => {
    const token = (await h.newWorkspace('outsider')).token;
    for (const path of [
      `/v1/snippets/${legacy}/runs`,
      `/v1/snippets/${legacy}/runs/${runs.ok}`,
      `/v1/snippet_runs/${runs.ok}`,
    ]) {
      assert.equal((await h.request('GET', path, { token })).status, 404, path);
    }
    for (const path of ['/v1/snippet_runs', `/v1/snippet_runs?snippet=${legacy}`]) {
      const res = await h.request('GET', path, { token });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.data, [], path);
    }
  });

  test('runs survive the archiving of their snippet', async () => {
    const res = await h.request('DELETE', `/v1/snippets/${contract}`, {
      token: ws.token,
      headers: { 'if-match': '1' },
    });
    assert.equal(res.status, 204);
    assert.deepEqual(ids(await list(`/v1/snippets/${contract}/runs`)), [runs.contract]);
  });
});
