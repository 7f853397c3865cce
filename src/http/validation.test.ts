import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startHarness, type Harness } from '../testing/harness.ts';

describe('request validation', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ ATOLL_MAX_BODY_BYTES: '4096' });
  });
  after(() => h.close());

  test('each violation is reported with the field it concerns', async () => {
    const res = await h.request('POST', '/v1/api_tokens', {
      body: { name: 'x'.repeat(101), expires_at: 'soon', extra: true },
    });
    assert.equal(res.status, 422);
    const paths = res.body.errors.map((e: any) => e.path.join('.')).sort();
    assert.deepEqual(paths, ['body.expires_at', 'body.extra', 'body.name']);
    for (const e of res.body.errors) {
      assert.equal(e.code, 7004);
      assert.equal(typeof e.message, 'string');
    }
  });

  test('a missing required field is named', async () => {
    const res = await h.request('POST', '/v1/api_tokens', { body: {} });
    assert.equal(res.status, 422);
    assert.deepEqual(res.body.errors[0].path, ['body', 'name']);
    assert.match(res.body.errors[0].message, /name is required/);
  });

  test('a body that is not an object is 422 on the body', async () => {
    const res = await h.request('POST', '/v1/api_tokens', { body: [1, 2] });
    assert.equal(res.status, 422);
    assert.deepEqual(res.body.errors[0].path, ['body']);
  });

  test('malformed JSON is 400, never 500', async () => {
    const res = await h.request('POST', '/v1/api_tokens', {
      raw: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.errors[0].code, 7005);
    assert.deepEqual(res.body.errors[0].path, ['body']);
  });

  test('a wrong content type is 415 naming the header', async () => {
    const res = await h.request('POST', '/v1/api_tokens', {
      raw: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(res.status, 415);
    assert.deepEqual(res.body.errors[0].path, ['header', 'content-type']);
  });

  test('an oversized body is 413 with the limit in metadata', async () => {
    const res = await h.request('POST', '/v1/api_tokens', { body: { name: 'x'.repeat(5000) } });
    assert.equal(res.status, 413);
    assert.equal(res.body.errors[0].metadata.max_bytes, '4096');
  });

  test('an oversized chunked body without content-length is 413 as well', async () => {
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(1000)));
        controller.close();
      },
    });
    const res = await h.atoll.app.request('/v1/api_tokens', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${h.token}`,
        'content-type': 'application/json',
        'transfer-encoding': 'chunked',
      },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 413);
  });

  test('a path id longer than the spec allows is 404 naming the path parameter: no resource has it', async () => {
    const res = await h.request('GET', `/v1/workspaces/ws_${'a'.repeat(60)}`);
    assert.equal(res.status, 404);
    assert.deepEqual(res.body.errors[0].path, ['path', 'id']);
    assert.equal(res.body.errors[0].metadata.status, 'NOT_FOUND');
  });

  test('unknown routes are 404 in the envelope', async () => {
    const res = await h.request('GET', '/v1/nothing-here');
    assert.equal(res.status, 404);
    assert.equal(res.body.success, false);
    assert.equal(res.body.errors[0].code, 7002);
  });

  test('the agent-deployments family renders its own envelope', async () => {
    const res = await h.request('GET', '/v1/agent-deployments/adpl_x/no/such/route', { token: null });
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'not_found');
    assert.equal(typeof res.body.error.request_id, 'string');
    assert.equal(res.body.error.retryable, false);
  });

  test('every response carries a request id, and a sane incoming one is kept', async () => {
    const res = await h.request('GET', '/v1/api_tokens', { headers: { 'x-request-id': 'trace-12345678' } });
    assert.equal(res.headers.get('x-request-id'), 'trace-12345678');
    const generated = await h.request('GET', '/v1/api_tokens', {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    assert.match(generated.headers.get('x-request-id')!, /^req_/);
  });
});
