import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createTurn, minimalAgent } from '../agents/test-fixtures.ts';
import { startHarness, type Harness, type TestResponse } from '../testing/harness.ts';
import { deepArray, deepObject } from '../testing/openapi-fuzz.ts';

/** The JSON text of a value with a raw JSON fragment (too deep for JSON.stringify) at `"@@"`. */
const withRaw = (value: unknown, fragment: string) => JSON.stringify(value).replace('"@@"', fragment);

/** One Akua-envelope error entry with the given status, code and path. */
function assertAkua(res: TestResponse, status: number, path: string[], message?: RegExp): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.success, false);
  const entry = res.body.errors.find((e: any) => JSON.stringify(e.path) === JSON.stringify(path));
  assert.ok(entry, `an entry for ${JSON.stringify(path)} in ${res.text}`);
  const [code, name] = ({ 404: [7002, 'NOT_FOUND'], 422: [7004, 'INVALID_ARGUMENT'] } as const)[
    status as 404 | 422
  ] ?? [7005, 'BAD_REQUEST'];
  assert.equal(entry.code, code);
  assert.equal(entry.metadata.status, name);
  if (message) assert.match(entry.message, message);
}

/** An agent-deployments envelope error with the given status, code and detail path. */
function assertNullspace(res: TestResponse, status: number, path: string[], message?: RegExp): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.body.error.code, status === 422 ? 'invalid_fields' : 'invalid_request');
  const detail = res.body.error.details.find((d: any) => JSON.stringify(d.path) === JSON.stringify(path));
  assert.ok(detail, `a detail for ${JSON.stringify(path)} in ${res.text}`);
  if (message) assert.match(detail.message, message);
}

const NUL = /U\+0000/;
const SURROGATE = /lone surrogate/;
const DEEP = /nested deeper than 64 levels/;

describe('input guard: U+0000, lone surrogates and hostile nesting are refused at the edge', () => {
  let h: Harness;
  const json = (method: string, path: string, raw: string, headers: Record<string, string> = {}) =>
    h.request(method, path, { raw, headers: { 'content-type': 'application/json', ...headers } });
  let keys = 0;
  const key = () => ({ 'idempotency-key': `guard-${++keys}` });

  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('PATCH /v1/workspaces/{id} with U+0000 in name is 422 naming body.name, and nothing changes', async () => {
    const before = (await h.request('GET', `/v1/workspaces/${h.workspaceId}`)).body;
    const res = await json('PATCH', `/v1/workspaces/${h.workspaceId}`, '{"name":"a\\u0000b"}', {
      'if-match': '*',
    });
    assertAkua(res, 422, ['body', 'name'], NUL);
    const after = (await h.request('GET', `/v1/workspaces/${h.workspaceId}`)).body;
    assert.equal(after.name, before.name);
    assert.equal(after.etag, before.etag);
  });

  test('POST /v1/api_tokens with U+0000 or a lone surrogate in name is 422 naming body.name', async () => {
    assertAkua(await json('POST', '/v1/api_tokens', '{"name":"tok\\u0000en"}'), 422, ['body', 'name'], NUL);
    assertAkua(
      await json('POST', '/v1/api_tokens', '{"name":"a\\ud800b"}'),
      422,
      ['body', 'name'],
      SURROGATE,
    );
    assertAkua(
      await json('POST', '/v1/api_tokens', '{"name":"ab\\udfff"}'),
      422,
      ['body', 'name'],
      SURROGATE,
    );
    // A surrogate pair, escaped or not, is ordinary text.
    const ok = await json('POST', '/v1/api_tokens', '{"name":"\\ud83d\\ude00 laptop 😀"}');
    assert.equal(ok.status, 201, ok.text);
    assert.equal(ok.body.name, '😀 laptop 😀');
  });

  test('agent create with U+0000 in a field or in a key is 422 naming each', async () => {
    const res = await json(
      'POST',
      '/v1/agents',
      JSON.stringify({ ...minimalAgent, name: 'a\u0000b', 'x\u0000y': 1 }),
    );
    assertAkua(res, 422, ['body', 'name'], NUL);
    assertAkua(res, 422, ['body', 'x\u0000y'], /key contains the character U\+0000/);
    assert.match(res.body.errors.find((e: any) => e.path[1] === 'x\u0000y').message, /^\["x\\u0000y"\]/);
  });

  test('an agent turn emit with U+0000 in a key of free-form widget data is 422 naming it', async () => {
    const me = { id: h.workspaceId, token: h.token };
    const turn = await createTurn(h, me);
    const body = {
      type: 'widget',
      data: { widget_type: 'status_card', schema_version: 1, actions: [{ 'a\u0000': 1 }] },
    };
    const res = await json('POST', `/v1/agent_turns/${turn.id}:emit`, JSON.stringify(body), key());
    assertAkua(res, 422, ['body', 'data', 'actions', '0', 'a\u0000'], NUL);
  });

  test('a snippet run whose overrides hold a U+0000 key or 5,000-deep nesting is 422 naming overrides', async () => {
    const snippet = await h.request('POST', '/v1/snippets', {
      body: { name: 'guarded', code: 'return 1', display_type: 'json' },
    });
    assert.equal(snippet.status, 201, snippet.text);
    const runs = `/v1/snippets/${snippet.body.snippet_id}/runs`;
    assertAkua(
      await json('POST', runs, '{"overrides":{"a\\u0000b":1}}'),
      422,
      ['body', 'overrides', 'a\u0000b'],
      NUL,
    );
    const deep = await json('POST', runs, withRaw({ overrides: '@@' }, deepObject(5000)));
    assertAkua(deep, 422, ['body', 'overrides', 'a', 'a', 'a', 'a', 'a', 'a', 'a'], DEEP);
    assert.match(deep.body.errors[0].message, /^overrides\.a\.a\.a\.a\.a\.a\.a…: /);
    const list = await h.request('GET', runs);
    assert.equal(list.body.data.length, 0, 'no run was created');
  });

  test('deployment metadata with U+0000, a lone surrogate or 5,000-deep nesting is 422 in the agent-deployments envelope', async () => {
    const create = (raw: string) => json('POST', '/v1/agent-deployments', raw, key());
    assertNullspace(
      await create('{"name":"d","mode":"job","metadata":{"a":"x\\u0000"}}'),
      422,
      ['body', 'metadata', 'a'],
      NUL,
    );
    assertNullspace(
      await create('{"name":"d","mode":"job","metadata":{"a\\u0000":1}}'),
      422,
      ['body', 'metadata', 'a\u0000'],
      NUL,
    );
    assertNullspace(
      await create('{"name":"d","mode":"job","metadata":{"s":"\\udc00"}}'),
      422,
      ['body', 'metadata', 's'],
      SURROGATE,
    );
    const deep = await create(withRaw({ name: 'd', mode: 'job', metadata: { a: '@@' } }, deepObject(5000)));
    assertNullspace(deep, 422, ['body', 'metadata', 'a', 'a', 'a', 'a', 'a', 'a', 'a'], DEEP);
    const arrays = await create(withRaw({ name: 'd', mode: 'job', metadata: { a: '@@' } }, deepArray(5000)));
    assertNullspace(arrays, 422, ['body', 'metadata', 'a', '0', '0', '0', '0', '0', '0'], DEEP);
    assert.equal(
      (await h.request('GET', '/v1/agent-deployments')).body.items.length,
      0,
      'nothing was created',
    );
  });

  test('metadata nested exactly 64 levels deep (the limit) is accepted', async () => {
    // The body is level 1, so 63 objects nested as metadata make 64.
    const res = await json(
      'POST',
      '/v1/agent-deployments',
      withRaw({ name: 'deep', mode: 'job', metadata: '@@' }, deepObject(63)),
      key(),
    );
    assert.equal(res.status, 201, res.text);
    const one = await json(
      'POST',
      '/v1/agent-deployments',
      withRaw({ name: 'deeper', mode: 'job', metadata: '@@' }, deepObject(64)),
      key(),
    );
    assertNullspace(one, 422, ['body', 'metadata', 'a', 'a', 'a', 'a', 'a', 'a', 'a'], DEEP);
  });

  test('a whole body nested 5,000 deep is 422 on the body, not a stack overflow', async () => {
    assertAkua(
      await json('POST', '/v1/snippets', deepObject(5000)),
      422,
      ['body', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'],
      DEEP,
    );
    assertAkua(
      await json('POST', '/v1/snippets', deepArray(5000)),
      422,
      ['body', '0', '0', '0', '0', '0', '0', '0', '0'],
      DEEP,
    );
  });

  test('GET /v1/snippets/%00 is 404 naming path.id (no snippet can have that id); so are %ff, an encoded surrogate and a stray %', async () => {
    assertAkua(await h.request('GET', '/v1/snippets/%00'), 404, ['path', 'id'], /U\+0000/);
    assertAkua(await h.request('GET', '/v1/snippets/a%00b'), 404, ['path', 'id'], /U\+0000/);
    for (const bad of ['%ff', '%ed%a0%80', '%c0%80', 'a%zz', 'a%']) {
      assertAkua(await h.request('GET', `/v1/snippets/${bad}`), 404, ['path', 'id'], /percent-encoded UTF-8/);
    }
    // Well-formed encodings still reach the route, which finds nothing.
    assert.equal((await h.request('GET', '/v1/snippets/%C3%A9t%C3%A9')).status, 404);
  });

  test('path parameters of AIP custom methods and of the service proxy are named as documented', async () => {
    assertAkua(await json('POST', '/v1/snippets/snp%00:execute', '{}'), 404, ['path', 'id'], /U\+0000/);
    assertAkua(await json('POST', '/v1/agent_turns/%ff:emit', '{}', key()), 404, ['path', 'id']);
    // The agent-deployments family keeps 400 for a malformed path parameter.
    assertNullspace(
      await h.request('GET', '/v1/agent-deployments/%00/runs'),
      400,
      ['path', 'deployment_id'],
      /U\+0000/,
    );
    assertNullspace(
      await h.request('GET', '/v1/agent-deployments/adpl_x/services/%00/proxy/anything?q=%ff'),
      400,
      ['path', 'service_id'],
    );
  });

  test('query values and names with U+0000 or invalid UTF-8 are 400 naming them', async () => {
    assertAkua(await h.request('GET', '/v1/snippets?cursor=%00'), 400, ['query', 'cursor'], /U\+0000/);
    assertAkua(await h.request('GET', '/v1/agent_sessions?agent_role=%ff'), 400, ['query', 'agent_role']);
    assertAkua(
      await h.request('GET', `/v1/workspaces/${h.workspaceId}?x%00y=1`),
      400,
      ['query', 'x%00y'],
      /name of query parameter/,
    );
    assertNullspace(await h.request('GET', '/v1/agent-deployments?name=%ed%b0%80'), 400, ['query', 'name']);
    assert.equal(
      (await h.request('GET', '/v1/snippets?limit=%32')).status,
      200,
      'a well-formed escape is fine',
    );
  });

  test('authentication still comes first: a hostile request without credentials is 401', async () => {
    const res = await h.request('PATCH', `/v1/workspaces/${h.workspaceId}`, {
      token: null,
      raw: deepObject(5000),
      headers: { 'content-type': 'application/json', 'if-match': '*' },
    });
    assert.equal(res.status, 401);
    assert.equal((await h.request('GET', '/v1/snippets/%00', { token: null })).status, 401);
  });

  test('HTTP itself refuses U+0000 in a header before Atoll sees it (400 from the server, never 500)', async () => {
    const base = new URL(await h.listen());
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(base.port), base.hostname);
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString('latin1')));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
      socket.write(
        `POST /v1/api_tokens HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${h.token}\r\n` +
          'Idempotency-Key: a\u0000b\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
      );
    });
    assert.match(reply, /^HTTP\/1\.1 400 /);
  });
});
