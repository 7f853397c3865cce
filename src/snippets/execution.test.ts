import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../testing/harness.ts';

describe('running snippets', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ ATOLL_SNIPPET_CPU_MS: '1000', ATOLL_SNIPPET_WALL_MS: '2000' });
  });
  after(() => h.close());

  const create = async (body: Record<string, unknown>) => {
    const res = await h.request('POST', '/v1/snippets', {
      body: { name: 'test', display_type: 'json', ...body },
    });
    assert.equal(res.status, 201, res.text);
    return res.body.snippet_id as string;
  };

  test('the curl of seed 000 returns 201, a Location and every field of the seed with the right types', async () => {
    const id = await create({ code: 'async () => ({ ok: true })' });
    const res = await h.request('POST', `/v1/snippets/${id}/runs`, { body: { overrides: {} } });
    assert.equal(res.status, 201);
    const run = res.body;
    assert.equal(res.headers.get('location'), `/v1/snippets/${id}/runs/${run.id}`);
    assert.match(run.id, /^snr_[a-z2-7]{26}$/);
    assert.equal(run.snippet_id, id);
    assert.equal(run.agent_session_id, null);
    assert.equal(run.agent_turn_id, null);
    assert.equal(run.state, 'succeeded');
    assert.equal(typeof run.duration_ms, 'number');
    assert.ok(Number.isInteger(run.created_at));
    assert.equal(typeof run.etag, 'string');
    assert.deepEqual(run.overrides, {});
    assert.deepEqual(run.output, { ok: true });
    assert.equal(run.error, undefined);
    assert.equal(run.source, 'manual');
    assert.equal(run.snippet_etag, '1');
    assert.equal(run.run_by, (await h.request('GET', '/v1/api_tokens')).body.data.at(-1).id);
    for (const k of ['cpu_time_ms', 'wall_time_ms', 'heap_used_bytes'])
      assert.equal(typeof run.stats[k], 'number', k);
    assert.ok(run.stats.heap_used_bytes > 0);
    const stored = await h.request('GET', `/v1/snippets/${id}/runs/${run.id}`);
    assert.deepEqual(stored.body, run, 'GET returns what POST returned');
  });

  test('inputs are validated against the descriptors before any code runs, defaults applied', async () => {
    const id = await create({
      code: 'async (inputs) => { console.log("ran"); return inputs; }',
      inputs: [
        { key: 'limit', label: 'Limit', kind: 'number', min: 1, max: 10, default: 5 },
        { key: 'env', label: 'Env', kind: 'enum', options: ['dev', 'prod'], required: true },
      ],
    });
    const bad = await h.request('POST', `/v1/snippets/${id}/runs`, {
      body: { inputs: { limit: 50, extra: 1 } },
    });
    assert.equal(bad.status, 422);
    const paths = bad.body.errors.map((e: any) => e.path.join('.')).sort();
    assert.deepEqual(paths, ['body.inputs.env', 'body.inputs.extra', 'body.inputs.limit']);
    assert.equal(bad.body.errors[0].metadata.reason, 'invalid_input');
    const runs = await h.request('GET', `/v1/snippets/${id}/runs`);
    assert.equal(runs.body.data.length, 0, 'no run was recorded');
    const good = await h.request('POST', `/v1/snippets/${id}/runs`, { body: { inputs: { env: 'prod' } } });
    assert.deepEqual(good.body.output, { limit: 5, env: 'prod' });
    assert.deepEqual(good.body.inputs, { limit: 5, env: 'prod' });
  });

  test('a throwing snippet is a failed run with code uncaught_exception, recorded and listed', async () => {
    const id = await create({ code: 'async () => { throw new RangeError("out of range") }' });
    const res = await h.request('POST', `/v1/snippets/${id}/runs`, {});
    assert.equal(res.status, 201);
    assert.equal(res.body.state, 'failed');
    assert.equal(res.body.error.code, 'uncaught_exception');
    assert.equal(res.body.error.message, 'out of range');
    assert.equal(res.body.error.details.name, 'RangeError');
    const listed = await h.request('GET', `/v1/snippet_runs?state=failed&snippet=${id}`);
    assert.deepEqual(
      listed.body.data.map((r: any) => r.id),
      [res.body.id],
    );
  });

  test('a run past its wall-clock limit ends timed_out, also while it awaits a promise', async () => {
    const id = await create({ code: 'async () => new Promise(() => {})' });
    const res = await h.request('POST', `/v1/snippets/${id}/runs`, {});
    assert.equal(res.body.state, 'timed_out');
    assert.equal(res.body.error.code, 'wall_time_limit_exceeded');
    // The limit's timer counts from the event loop's cached clock, which can lag the hrtime clock that
    // measures wall time, so the figure can read a millisecond or two under the limit.
    const wall = res.body.stats.wall_time_ms;
    assert.ok(wall >= 1990 && wall < 4000, `wall_time_ms ${wall}`);
  });

  test('console output is kept on the run, and a logs snippet that returns nothing shows it', async () => {
    const id = await create({
      display_type: 'logs',
      code: 'async () => { console.log("one", {a: 1}); console.warn("two"); }',
    });
    const res = await h.request('POST', `/v1/snippets/${id}/runs`, {});
    assert.deepEqual(
      res.body.logs.map((l: any) => [l.level, l.message]),
      [
        ['info', 'one {"a":1}'],
        ['warn', 'two'],
      ],
    );
    assert.deepEqual(
      res.body.output.map((l: any) => l.message),
      ['one {"a":1}', 'two'],
    );
    const basic = await h.request('GET', `/v1/snippets/${id}/runs`);
    assert.equal(basic.body.data[0].logs, undefined, 'the basic view leaves logs out');
  });

  test('console output is bounded', async () => {
    const id = await create({
      code: 'async () => { for (let i = 0; i < 1500; i++) console.log("x".repeat(5000)); return 1; }',
    });
    const res = await h.request('POST', `/v1/snippets/${id}/runs`, {});
    assert.equal(res.body.logs.length, 1000);
    assert.equal(res.body.logs_dropped, 500);
    assert.ok(res.body.logs.every((l: any) => l.message.length <= 4096));
  });

  test('a contract snippet whose output breaks its contract fails with result_contract_violation', async () => {
    const id = await create({
      code: 'async (inputs) => inputs.good ? ({ contract_version: 1, type: "scalar", value: 3, unit: "pods" }) : ({ contract_version: 1, type: "scalar" })',
      display_type: 'stat',
      result_contract_version: 1,
      result_type: 'scalar',
      default_visualization: 'stat',
      inputs: [{ key: 'good', label: 'Good', kind: 'boolean', default: false }],
    });
    const bad = await h.request('POST', `/v1/snippets/${id}/runs`, {});
    assert.equal(bad.body.state, 'failed');
    assert.equal(bad.body.error.code, 'result_contract_violation');
    assert.equal(bad.body.result_type, 'scalar');
    const good = await h.request('POST', `/v1/snippets/${id}/runs`, { body: { inputs: { good: true } } });
    assert.equal(good.body.state, 'succeeded');
    assert.equal(good.body.output.value, 3);
  });

  test('an archived snippet cannot run (409)', async () => {
    const id = await create({ code: 'async () => 1' });
    await h.request('DELETE', `/v1/snippets/${id}`, { headers: { 'if-match': '1' } });
    const res = await h.request('POST', `/v1/snippets/${id}/runs`, {});
    assert.equal(res.status, 409);
    assert.equal(res.body.errors[0].metadata.reason, 'snippet_archived');
    assert.equal((await h.request('POST', `/v1/snippets/${id}:execute`, {})).status, 409);
  });

  test('a run for an agent turn stores its session and announces itself in the turn as widget.created', async () => {
    const id = await create({ code: 'async () => 1', display_type: 'stat' });
    const agent = await h.request('POST', '/v1/agents', {
      body: { name: 'a', instructions: 'i', capabilities: ['CHAT'] },
    });
    const session = await h.request('POST', '/v1/agent_sessions', { body: { agent_id: agent.body.id } });
    const turn = await h.request('POST', '/v1/agent_turns', {
      body: { session_id: session.body.id, message: 'hi' },
    });
    const run = await h.request('POST', `/v1/snippets/${id}/runs`, { body: { agent_turn_id: turn.body.id } });
    assert.equal(run.status, 201);
    assert.equal(run.body.agent_turn_id, turn.body.id);
    assert.equal(run.body.agent_session_id, session.body.id);
    assert.equal(run.body.source, 'agent');
    const events = await h.request('GET', `/v1/agent_events?turn=${turn.body.id}`);
    assert.equal(events.body.data.length, 1);
    const event = events.body.data[0];
    assert.equal(event.type, 'widget.created');
    assert.equal(event.sequence, 1);
    assert.deepEqual(event.data.resource_refs[0], { resource: 'snippet_run', id: run.body.id });
    assert.equal(event.data.snippet_run.state, 'succeeded');
    assert.equal((await h.request('GET', `/v1/agent_turns/${turn.body.id}`)).body.state, 'RUNNING');

    const unknown = await h.request('POST', `/v1/snippets/${id}/runs`, {
      body: { agent_turn_id: 'trn_nosuchturn' },
    });
    assert.equal(unknown.status, 422);
    assert.deepEqual(unknown.body.errors[0].path, ['body', 'agent_turn_id']);

    await h.request('POST', `/v1/agent_turns/${turn.body.id}:cancel`, { body: {} });
    const late = await h.request('POST', `/v1/snippets/${id}/runs`, {
      body: { agent_turn_id: turn.body.id },
    });
    assert.equal(late.status, 201, 'a run for an ended turn is still recorded');
    const after = await h.request('GET', `/v1/agent_events?turn=${turn.body.id}`);
    assert.deepEqual(
      after.body.data.map((e: any) => e.type),
      ['widget.created', 'turn.cancelled'],
      'but not announced',
    );
  });

  test('dashboard context is stored on the run', async () => {
    const id = await create({ code: 'async () => 1' });
    const dash = await h.request('POST', `/v1/snippets/${id}/runs`, {
      body: { context: { source: 'dashboard_refresh', dashboard_id: 'dash_1', widget_id: 'wgt_1' } },
    });
    assert.equal(dash.body.source, 'dashboard_refresh');
    assert.equal(dash.body.dashboard_id, 'dash_1');
    assert.equal(dash.body.widget_id, 'wgt_1');
    const mismatch = await h.request('POST', `/v1/snippets/${id}/runs`, {
      body: { agent_turn_id: 'trn_a', context: { source: 'agent', agent_turn_id: 'trn_b' } },
    });
    assert.equal(mismatch.status, 422);
    assert.deepEqual(mismatch.body.errors[0].path, ['body', 'context', 'agent_turn_id']);
  });

  test('an idempotency key makes a retried run return the first run, executed once', async () => {
    const id = await create({ code: 'async () => Math.random()' });
    const headers = { 'idempotency-key': 'run-once' };
    const first = await h.request('POST', `/v1/snippets/${id}/runs`, { headers, body: {} });
    const second = await h.request('POST', `/v1/snippets/${id}/runs`, { headers, body: {} });
    assert.equal(second.text, first.text);
    assert.equal((await h.request('GET', `/v1/snippets/${id}/runs`)).body.data.length, 1);
  });

  test(':execute runs a stored snippet or ad-hoc code and records nothing', async () => {
    const id = await create({
      code: 'async ({ n }) => n * 2',
      inputs: [{ key: 'n', label: 'N', kind: 'number', required: true }],
    });
    const stored = await h.request('POST', `/v1/snippets/${id}:execute`, { body: { inputs: { n: 21 } } });
    assert.equal(stored.status, 200);
    assert.equal(stored.body.result, 42);
    assert.deepEqual(Object.keys(stored.body).sort(), ['result', 'stats']);
    assert.equal(
      (await h.request('POST', `/v1/snippets/${id}:execute`, { body: { inputs: {} } })).status,
      422,
    );
    const adhoc = await h.request('POST', '/v1/snippets:execute', {
      body: { code: 'async (inputs) => inputs.x + 1', inputs: { x: 1 } },
    });
    assert.equal(adhoc.body.result, 2);
    const failing = await h.request('POST', '/v1/snippets:execute', {
      body: { code: 'async () => { throw new Error("no") }' },
    });
    assert.equal(failing.status, 200);
    assert.equal(failing.body.error, 'uncaught_exception: no');
    assert.equal(failing.body.result, undefined);
    const syntax = await h.request('POST', '/v1/snippets:execute', { body: { code: 'async () => {' } });
    assert.match(syntax.body.error, /^syntax_error: /);
    assert.equal((await h.request('GET', `/v1/snippets/${id}/runs`)).body.data.length, 0);
    const missing = await h.request('POST', '/v1/snippets:execute', { body: {} });
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.body.errors[0].path, ['body', 'code']);
  });

  test('code may also be a function body, called with inputs', async () => {
    const res = await h.request('POST', '/v1/snippets:execute', {
      body: { code: 'const x = inputs.a * 3;\nreturn x;', inputs: { a: 2 } },
    });
    assert.equal(res.body.result, 6);
  });

  test('platform.request() calls the API as the caller, in-process', async () => {
    const res = await h.request('POST', '/v1/snippets:execute', {
      body: {
        code: `async () => {
          const ws = await platform.request({ method: 'GET', path: '/v1/workspaces' });
          const created = await platform.request({ method: 'POST', path: '/v1/snippets', body: { name: 'made inside', code: 'async () => 7', display_type: 'stat' } });
          const run = await platform.request({ method: 'POST', path: '/v1/snippets/' + created.body.snippet_id + '/runs', body: {} });
          const list = await platform.request({ method: 'GET', path: '/v1/snippets', query: { limit: 1 } });
          return { ws: ws.body.data.map((w) => w.id), status: created.status, output: run.body.output, listed: list.body.data.length, type: list.headers['content-type'] };
        }`,
      },
    });
    assert.equal(res.body.error, undefined, res.body.error);
    assert.deepEqual(res.body.result, {
      ws: [h.workspaceId],
      status: 201,
      output: 7,
      listed: 1,
      type: 'application/json',
    });
  });

  test('snippets may start snippets only three levels deep, whatever headers a client sends', async () => {
    // Each level starts the same code one level deeper and reports the statuses down the chain.
    const code = `async (inputs) => {
      const r = await platform.request({ method: 'POST', path: '/v1/snippets:execute', body: { code: inputs.code, inputs } });
      return r.status === 200 ? r.status + ' ' + r.body.result : r.status + ' ' + r.body.errors[0].metadata.reason;
    }`;
    const variants: Array<Record<string, string>> = [
      {},
      { 'x-atoll-snippet-depth': '-5' },
      { 'x-atoll-snippet-depth': '2' },
    ];
    for (const headers of variants) {
      const res = await h.request('POST', '/v1/snippets:execute', {
        body: { code, inputs: { code } },
        headers,
      });
      assert.equal(res.body.result, '200 200 409 nesting_limit', JSON.stringify(headers));
    }
  });
});
