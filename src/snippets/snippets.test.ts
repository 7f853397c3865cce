import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTurn } from '../agents/test-fixtures.ts';
import { startHarness, type Harness } from '../testing/harness.ts';

const minimal = { name: 'Cluster Resource Audit', code: 'async () => 1', display_type: 'table' };

const SNIPPET_FIELDS = [
  'agent_session_id',
  'agent_turn_id',
  'archived_at',
  'code',
  'created_at',
  'created_by',
  'default_visualization',
  'description',
  'display_type',
  'etag',
  'html_url',
  'id',
  'inputs',
  'name',
  'origin',
  'purpose',
  'result_contract_version',
  'result_type',
  'updated_at',
  'visibility',
  'workspace_id',
];

const isUnixSeconds = (v: unknown) =>
  Number.isInteger(v) && (v as number) > 1_600_000_000 && (v as number) < 4_000_000_000;

describe('snippets', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  async function create(body: object = minimal, token?: string) {
    const res = await h.request('POST', '/v1/snippets', { body, ...(token ? { token } : {}) });
    assert.equal(res.status, 201, res.text);
    return res.body.snippet_id as string;
  }

  async function read(id: string, token?: string) {
    return h.request('GET', `/v1/snippets/${id}`, token ? { token } : {});
  }

  test('create answers 201 with only the id, an ETag and a Location', async () => {
    const res = await h.request('POST', '/v1/snippets', { body: minimal });
    assert.equal(res.status, 201);
    assert.deepEqual(Object.keys(res.body), ['snippet_id']);
    assert.match(res.body.snippet_id, /^snp_[a-z2-7]{26}$/);
    assert.equal(res.headers.get('etag'), '"1"');
    assert.equal(res.headers.get('location'), `/v1/snippets/${res.body.snippet_id}`);
  });

  test('a created snippet reads back with every Snippet field, defaults filled in', async () => {
    const id = await create();
    const res = await read(id);
    assert.equal(res.status, 200);
    const s = res.body;
    assert.deepEqual(Object.keys(s).sort(), SNIPPET_FIELDS);
    const [token] = await h.database.db
      .selectFrom('api_tokens')
      .select('id')
      .where('workspace_id', '=', h.workspaceId)
      .execute();
    assert.deepEqual(
      { ...s, created_at: 0, updated_at: 0 },
      {
        id,
        html_url: `${h.config.publicUrl}/dashboards/snippets/${id}`,
        name: 'Cluster Resource Audit',
        description: null,
        code: 'async () => 1',
        display_type: 'table',
        inputs: [],
        visibility: 'workspace',
        origin: 'user',
        purpose: 'general',
        agent_session_id: null,
        agent_turn_id: null,
        workspace_id: h.workspaceId,
        created_by: token!.id,
        created_at: 0,
        updated_at: 0,
        archived_at: null,
        etag: '1',
        result_contract_version: null,
        result_type: null,
        default_visualization: null,
      },
    );
    assert.ok(isUnixSeconds(s.created_at) && s.updated_at === s.created_at, 'Unix seconds');
    assert.equal(res.headers.get('etag'), `"${s.etag}"`);
  });

  test('every optional field given at create is stored, the result contract included', async () => {
    const turn = await createTurn(h, { id: h.workspaceId, token: h.token });
    const body = {
      ...minimal,
      description: 'Checks resource requests and limits',
      display_type: 'timeseries',
      inputs: [
        { key: 'window', label: 'Window', kind: 'time_range', default: { from: 1, to: 2 } },
        { key: 'cluster', label: 'Cluster', kind: 'resource', resource: 'cluster', required: true },
        { key: 'env', label: 'Env', kind: 'enum', options: ['dev', 'prod'], default: 'prod' },
      ],
      visibility: 'session',
      origin: 'agent',
      agent_session_id: turn.session_id,
      agent_turn_id: turn.id,
      purpose: 'widget',
      result_contract_version: 1,
      result_type: 'timeseries',
      default_visualization: 'line',
    };
    const s = (await read(await create(body))).body;
    for (const [field, value] of Object.entries(body)) assert.deepEqual(s[field], value, field);
  });

  test("agent_session_id and agent_turn_id must be the workspace's own, and agree (F9)", async () => {
    const other = await h.newWorkspace('elsewhere');
    const theirs = await createTurn(h, other);
    const mine = await createTurn(h, { id: h.workspaceId, token: h.token });
    const refused = async (refs: object, paths: string[][]) => {
      const res = await h.request('POST', '/v1/snippets', { body: { ...minimal, ...refs } });
      assert.equal(res.status, 422, res.text);
      assert.deepEqual(
        res.body.errors.map((e: { path: string[] }) => e.path),
        paths,
      );
    };
    await refused({ agent_session_id: theirs.session_id }, [['body', 'agent_session_id']]);
    await refused({ agent_turn_id: theirs.id }, [['body', 'agent_turn_id']]);
    await refused({ agent_session_id: theirs.session_id, agent_turn_id: theirs.id }, [
      ['body', 'agent_session_id'],
      ['body', 'agent_turn_id'],
    ]);
    await refused({ agent_session_id: mine.session_id, agent_turn_id: theirs.id }, [
      ['body', 'agent_turn_id'],
    ]);
    const other2 = await createTurn(h, { id: h.workspaceId, token: h.token });
    await refused({ agent_session_id: other2.session_id, agent_turn_id: mine.id }, [
      ['body', 'agent_turn_id'],
    ]);
    const list = await h.request('GET', '/v1/snippets?limit=100');
    assert.ok(!JSON.stringify(list.body).includes(theirs.id), 'nothing was stored');
    const ok = await h.request('POST', '/v1/snippets', {
      body: { ...minimal, agent_session_id: mine.session_id, agent_turn_id: mine.id },
    });
    assert.equal(ok.status, 201, ok.text);
  });

  test('the list shows active snippets newest first and pages with a cursor', async () => {
    const ws = await h.newWorkspace('paging');
    const ids = [];
    for (const n of [1, 2, 3]) ids.push(await create({ ...minimal, name: `S${n}` }, ws.token));
    const first = await h.request('GET', '/v1/snippets?limit=2', { token: ws.token });
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.data.map((s: any) => s.id),
      [ids[2], ids[1]],
    );
    assert.equal(first.body.has_more, true);
    const second = await h.request('GET', `/v1/snippets?limit=2&cursor=${first.body.next_cursor}`, {
      token: ws.token,
    });
    assert.deepEqual(
      second.body.data.map((s: any) => s.id),
      [ids[0]],
    );
    assert.equal(second.body.has_more, false);
    assert.equal(second.body.next_cursor, null);
    assert.deepEqual(Object.keys(second.body.data[0]).sort(), SNIPPET_FIELDS);
  });

  test('PATCH needs if-match: missing is 428, stale is 409 ABORTED with the current etag, fresh applies', async () => {
    const id = await create({ ...minimal, description: 'before' });
    const missing = await h.request('PATCH', `/v1/snippets/${id}`, { body: { name: 'x' } });
    assert.equal(missing.status, 428);
    assert.deepEqual(missing.body.errors[0].path, ['header', 'if-match']);

    const fresh = await h.request('PATCH', `/v1/snippets/${id}`, {
      headers: { 'if-match': '1' },
      body: { name: 'Renamed', code: 'async () => 2' },
    });
    assert.equal(fresh.status, 200);
    assert.deepEqual(fresh.body, { snippet_id: id });
    assert.equal(fresh.headers.get('etag'), '"2"');

    const stale = await h.request('PATCH', `/v1/snippets/${id}`, {
      headers: { 'if-match': '1' },
      body: { name: 'Lost' },
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.errors[0].metadata.status, 'ABORTED');
    assert.equal(stale.body.errors[0].metadata.etag, '2');

    const s = (await read(id)).body;
    assert.equal(s.name, 'Renamed');
    assert.equal(s.code, 'async () => 2');
    assert.equal(s.description, 'before', 'fields not in the patch are kept');
    assert.equal(s.etag, '2');
  });

  test('two writers racing with one etag: exactly one wins', async () => {
    const id = await create();
    const results = await Promise.all(
      ['a', 'b', 'c'].map((n) =>
        h.request('PATCH', `/v1/snippets/${id}`, { headers: { 'if-match': '1' }, body: { name: n } }),
      ),
    );
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409, 409]);
  });

  test('PATCH may add a whole result contract or retune one, never leave one half set', async () => {
    const id = await create();
    const half = await h.request('PATCH', `/v1/snippets/${id}`, {
      headers: { 'if-match': '1' },
      body: { result_type: 'table' },
    });
    assert.equal(half.status, 422);
    assert.deepEqual(
      half.body.errors.map((e: any) => e.path.join('.')),
      ['body.result_contract_version', 'body.default_visualization'],
    );
    const whole = await h.request('PATCH', `/v1/snippets/${id}`, {
      headers: { 'if-match': '1' },
      body: { result_contract_version: 1, result_type: 'table', default_visualization: 'table' },
    });
    assert.equal(whole.status, 200);
    const retune = await h.request('PATCH', `/v1/snippets/${id}`, {
      headers: { 'if-match': '2' },
      body: { result_type: 'scalar', default_visualization: 'stat' },
    });
    assert.equal(retune.status, 200);
    const s = (await read(id)).body;
    assert.deepEqual(
      [s.result_contract_version, s.result_type, s.default_visualization],
      [1, 'scalar', 'stat'],
    );
    const versionOnly = await h.request('PATCH', `/v1/snippets/${id}`, {
      headers: { 'if-match': '3' },
      body: { result_contract_version: 1 },
    });
    assert.equal(versionOnly.status, 422);
    assert.deepEqual(
      versionOnly.body.errors.map((e: any) => e.path.join('.')),
      ['body.result_type', 'body.default_visualization'],
    );
  });

  test('PATCH replaces inputs, checked as at create', async () => {
    const id = await create();
    const dup = await h.request('PATCH', `/v1/snippets/${id}`, {
      headers: { 'if-match': '1' },
      body: {
        inputs: [
          { key: 'a', label: 'A', kind: 'boolean' },
          { key: 'a', label: 'B', kind: 'text' },
        ],
      },
    });
    assert.equal(dup.status, 422);
    assert.deepEqual(dup.body.errors[0].path, ['body', 'inputs', '1', 'key']);
    const ok = await h.request('PATCH', `/v1/snippets/${id}`, {
      headers: { 'if-match': '1' },
      body: { inputs: [{ key: 'limit', label: 'Limit', kind: 'number', min: 1, max: 10, default: 5 }] },
    });
    assert.equal(ok.status, 200);
    assert.deepEqual((await read(id)).body.inputs, [
      { key: 'limit', label: 'Limit', kind: 'number', min: 1, max: 10, default: 5 },
    ]);
  });

  test('an empty PATCH changes nothing and keeps the etag', async () => {
    const id = await create();
    const res = await h.request('PATCH', `/v1/snippets/${id}`, { headers: { 'if-match': '1' }, body: {} });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('etag'), '"1"');
  });

  test('DELETE archives: 428 without if-match, 409 when stale, then 204, and 204 again', async () => {
    const id = await create();
    await h.request('PATCH', `/v1/snippets/${id}`, { headers: { 'if-match': '1' }, body: { name: 'v2' } });
    const missing = await h.request('DELETE', `/v1/snippets/${id}`);
    assert.equal(missing.status, 428);
    const stale = await h.request('DELETE', `/v1/snippets/${id}`, { headers: { 'if-match': '1' } });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.errors[0].metadata.status, 'ABORTED');
    assert.equal(stale.body.errors[0].metadata.etag, '2');
    const first = await h.request('DELETE', `/v1/snippets/${id}`, { headers: { 'if-match': '2' } });
    assert.equal(first.status, 204);
    assert.equal(first.text, '');
    const again = await h.request('DELETE', `/v1/snippets/${id}`, { headers: { 'if-match': '2' } });
    assert.equal(again.status, 204);
  });

  test('an archived snippet is not listed (but is with archived=true), is still readable with archived_at, and cannot be patched', async () => {
    const ws = await h.newWorkspace('archive');
    const kept = await create(minimal, ws.token);
    const archived = await create(minimal, ws.token);
    const del = await h.request('DELETE', `/v1/snippets/${archived}`, {
      token: ws.token,
      headers: { 'if-match': '1' },
    });
    assert.equal(del.status, 204);
    const list = await h.request('GET', '/v1/snippets', { token: ws.token });
    assert.deepEqual(
      list.body.data.map((s: any) => s.id),
      [kept],
    );
    const listed = await h.request('GET', '/v1/snippets?archived=true', { token: ws.token });
    assert.deepEqual(
      listed.body.data.map((s: any) => s.id),
      [archived],
      'archived=true lists the archived ones only',
    );
    const s = (await read(archived, ws.token)).body;
    assert.ok(isUnixSeconds(s.archived_at));
    assert.equal(s.etag, '2', 'archiving is a write');
    const patch = await h.request('PATCH', `/v1/snippets/${archived}`, {
      token: ws.token,
      headers: { 'if-match': s.etag },
      body: { name: 'back' },
    });
    assert.equal(patch.status, 409);
    assert.equal(patch.body.errors[0].metadata.status, 'FAILED_PRECONDITION');
  });

  test("another workspace's snippet is 404 on every snippet route and absent from its list", async () => {
    const id = await create();
    const other = await h.newWorkspace('intruder');
    const token = other.token;
    const headers = { 'if-match': '1' };
    for (const [method, path, extra] of [
      ['GET', `/v1/snippets/${id}`, {}],
      ['PATCH', `/v1/snippets/${id}`, { headers, body: { name: 'x' } }],
      ['DELETE', `/v1/snippets/${id}`, { headers }],
      ['GET', `/v1/snippets/${id}/runs`, {}],
    ] as const) {
      const res = await h.request(method, path, { token, ...extra });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.errors[0].metadata.status, 'NOT_FOUND');
    }
    const list = await h.request('GET', '/v1/snippets', { token });
    assert.ok(!list.body.data.some((s: any) => s.id === id));
    assert.equal((await read(id)).body.name, minimal.name, 'the owner still has it unchanged');
  });

  test('an idempotency key replays the create instead of making a second snippet', async () => {
    const ws = await h.newWorkspace('idem');
    const send = () =>
      h.request('POST', '/v1/snippets', {
        token: ws.token,
        headers: { 'idempotency-key': 'create-once' },
        body: minimal,
      });
    const first = await send();
    const second = await send();
    assert.equal(second.status, 201);
    assert.equal(second.text, first.text);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(second.headers.get('location'), first.headers.get('location'));
    const list = await h.request('GET', '/v1/snippets', { token: ws.token });
    assert.equal(list.body.data.length, 1);
  });
});
