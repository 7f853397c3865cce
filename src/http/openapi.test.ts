import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../testing/harness.ts';

describe('OpenAPI document and reference page', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('GET /v1/openapi.json is an OpenAPI 3.1 document generated from the route schemas, without auth', async () => {
    const res = await h.request('GET', '/v1/openapi.json', { token: null });
    assert.equal(res.status, 200);
    const doc = res.body;
    assert.equal(doc.openapi, '3.1.0');
    for (const [path, method, opId] of [
      ['/v1/workspaces', 'get', 'workspaces.list'],
      ['/v1/workspaces/{id}', 'patch', 'workspaces.update'],
      ['/v1/api_tokens', 'post', 'apiTokens.create'],
      ['/v1/api_tokens/{id}', 'delete', 'apiTokens.revoke'],
    ] as const) {
      assert.equal(doc.paths[path]?.[method]?.operationId, opId, `${method} ${path}`);
    }
    const body = doc.components.schemas.CreateApiTokenRequest;
    assert.equal(body.additionalProperties, false, 'closed bodies are declared closed');
    assert.deepEqual(body.required, ['name']);
    const ifMatch = doc.paths['/v1/workspaces/{id}'].patch.parameters.find((p: any) => p.name === 'if-match');
    assert.equal(ifMatch.required, true);
    assert.ok(doc.components.securitySchemes.BearerAuth);
    const ids = Object.values(doc.paths).flatMap((m: any) => Object.values(m).map((o: any) => o.operationId));
    assert.equal(new Set(ids).size, ids.length, 'operation ids are unique');
  });

  test('GET /docs renders a readable reference of every operation', async () => {
    const res = await h.request('GET', '/docs', { token: null });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /text\/html/);
    assert.match(res.text, /<code>\/v1\/api_tokens<\/code>/);
    assert.match(res.text, /Unknown fields are rejected/);
    assert.ok(!/<script/i.test(res.text));
  });

  test('health and readiness', async () => {
    assert.deepEqual((await h.request('GET', '/healthz', { token: null })).body, { status: 'ok' });
    const ready = await h.request('GET', '/readyz', { token: null });
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, 'ready');
  });

  // Last: it starts the harness's graceful stop.
  test('readiness answers 503 once the server is shutting down; liveness still answers', async () => {
    await h.atoll.drain();
    const ready = await h.request('GET', '/readyz', { token: null });
    assert.equal(ready.status, 503);
    assert.deepEqual(ready.body, { status: 'not_ready', reason: 'the server is shutting down' });
    assert.equal((await h.request('GET', '/healthz', { token: null })).status, 200);
  });
});
