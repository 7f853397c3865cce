/**
 * Refusals answer the statuses the published Akua document lists (issue 12): every published operation
 * Atoll serves (its /v1/openapi.json against spec/akua-openapi.json, by operationId) gets a bad body, a
 * bad query and a bad path id, and each answer must be a status the published operation lists, in its
 * error envelope (`checkPublishedResponse`), and one Atoll's own document lists for the operation.
 *
 * Where the published operation lists no status for that kind of refusal (neither 400 nor 422; many
 * operations list only 401 and 403), Atoll answers its convention (docs/errors.md "Which status a
 * refusal gets"): 422 for a body field, 400 for JSON syntax and the URL; and a path id that cannot exist
 * is 404 even where the published responses omit 404 (as they do for installs.delete, whose unknown ids
 * are 404 all the same). The test reports those cases.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { startHarness, type Harness } from '../testing/harness.ts';
import { operationsOf, sampleBody, type FuzzOperation } from '../testing/openapi-fuzz.ts';
import { checkPublishedResponse, publishedOperations, publishedStatuses } from '../testing/published-api.ts';

const SECRET = 'published-statuses-secret-0123456789abcdef';

type Kind = 'body' | 'query' | 'path';

type Variant = {
  kind: Kind;
  what: string;
  /** The status Atoll's convention gives it where the published operation lists none that fits. */
  convention: number;
  params?: Record<string, string>;
  query?: string;
  body?: string;
};

/** A bad body, a bad query and a bad path id for an operation, each wrong in one way only. */
function variantsOf(doc: any, op: FuzzOperation): Variant[] {
  const out: Variant[] = [];
  if (op.body) {
    const sample = JSON.parse(sampleBody(doc, op) ?? '{}');
    out.push(
      { kind: 'body', what: 'JSON syntax error', convention: 400, body: '{"' },
      { kind: 'body', what: 'an array for the object', convention: 422, body: '[]' },
      {
        kind: 'body',
        what: 'an unknown field',
        convention: 422,
        body: JSON.stringify({ ...sample, zz_unknown_field: 1 }),
      },
    );
  }
  out.push({ kind: 'query', what: 'U+0000 in a query parameter', convention: 400, query: 'zz=%00' });
  if (op.queryParams.length > 0) {
    out.push({ kind: 'query', what: 'an unknown query parameter', convention: 400, query: 'zz_unknown=1' });
  }
  if (op.queryParams.includes('limit')) {
    out.push({ kind: 'query', what: 'limit=0', convention: 400, query: 'limit=0' });
  }
  for (const name of op.pathParams) {
    out.push(
      { kind: 'path', what: `${name} with U+0000`, convention: 404, params: { [name]: '%00' } },
      {
        kind: 'path',
        what: `${name} of 300 characters`,
        convention: 404,
        params: { [name]: 'x'.repeat(300) },
      },
    );
  }
  return out;
}

/** The statuses of a published operation that fit a refusal of this kind. */
function fitting(operationId: string, kind: Kind): number[] {
  const candidates = kind === 'path' ? [400, 404, 422] : [400, 422];
  return publishedStatuses(operationId).filter((s) => candidates.includes(s));
}

describe('refusals answer a status the published operation lists', () => {
  let h: Harness;
  let doc: any;
  let jwt: string;
  let keys = 0;

  before(async () => {
    h = await startHarness({ ATOLL_JWT_SECRET: SECRET });
    jwt = await new SignJWT({ sub: 'published-statuses', atoll_workspaces: '*' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(SECRET));
    doc = (await h.request('GET', '/v1/openapi.json', { token: null })).body;
  });
  after(() => h.close());

  /** The published operations Atoll serves, from its own document. */
  const served = () => operationsOf(doc).filter((op) => publishedOperations.has(op.operationId));

  async function send(op: FuzzOperation, v: Variant) {
    let path = op.path;
    for (const name of op.pathParams) {
      // A well-formed id that names nothing: validation comes before any lookup.
      path = path.replace(`{${name}}`, v.params?.[name] ?? 'zz_aaaaaaaaaaaaaaaaaaaaaaaaaa');
    }
    if (v.query !== undefined) path += `?${v.query}`;
    const headers: Record<string, string> = {
      authorization: `Bearer ${op.operationId === 'workspaces.create' ? jwt : h.token}`,
    };
    if (op.headerParams.includes('idempotency-key')) headers['idempotency-key'] = `statuses-${++keys}`;
    if (op.headerParams.includes('if-match')) headers['if-match'] = '999999';
    const body = v.body ?? (op.body && op.method !== 'GET' ? sampleBody(doc, op) : undefined);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await h.atoll.app.request(path, { method: op.method, headers, body });
    const text = await res.text();
    const json = (res.headers.get('content-type') ?? '').includes('application/json');
    return { status: res.status, text, body: json && text ? JSON.parse(text) : text };
  }

  test('Atoll serves most of the published operations it implements, under their published paths', () => {
    const ops = served();
    assert.ok(ops.length >= 70, `only ${ops.length} published operations served`);
    for (const op of ops)
      assert.equal(publishedOperations.get(op.operationId)!.path, op.path, op.operationId);
  });

  test('bad bodies, queries and path ids get a status the published operation lists (or, where it lists none, the convention)', async (t) => {
    const failures: string[] = [];
    const unlisted: string[] = [];
    for (const op of served()) {
      const own = Object.keys(doc.paths[op.path][op.method.toLowerCase()].responses).map(Number);
      for (const v of variantsOf(doc, op)) {
        const res = await send(op, v);
        const where = `${op.operationId} (${v.kind}: ${v.what}) → ${res.status}`;
        if (res.status < 400 || res.status >= 500) {
          failures.push(`${where}: expected a refusal ${res.text.slice(0, 160)}`);
          continue;
        }
        if (!own.includes(res.status)) failures.push(`${where}: not in Atoll's own document (${own})`);
        const listed = publishedStatuses(op.operationId).includes(res.status);
        if (listed) {
          const problems = checkPublishedResponse(op.operationId, res.status, res.body);
          if (problems.length > 0) failures.push(`${where}: ${problems.join('; ')}`);
        } else if (v.kind === 'path' && res.status === 404) {
          // An id that cannot exist is a not-found, as an id that does not: the operation answers 404
          // for unknown ids whether or not its published responses list it.
          unlisted.push(`${op.operationId} path → 404`);
        } else if (fitting(op.operationId, v.kind).length > 0) {
          failures.push(`${where}: the published operation lists ${fitting(op.operationId, v.kind)}`);
        } else if (res.status !== v.convention) {
          failures.push(`${where}: the published operation lists none of 400/422, expected ${v.convention}`);
        } else {
          unlisted.push(`${op.operationId} ${v.kind} → ${res.status}`);
        }
      }
    }
    t.diagnostic(
      `published operations that list no status for a refusal (Atoll's convention answers): ${[...new Set(unlisted)].join(', ')}`,
    );
    if (failures.length > 0) assert.fail(`${failures.length} failures:\n${failures.join('\n')}`);
  });

  test('a bad body to POST /v1/repository_change_requests is 400, the status its published operation lists', async () => {
    const res = await h.request('POST', '/v1/repository_change_requests', {
      headers: { 'idempotency-key': 'rcr-bad-body' },
      body: { kind: 'user' },
    });
    assert.equal(res.status, 400, res.text);
    assert.deepEqual(res.body.errors[0].path, ['body', 'parent_repository_id']);
    assert.equal(res.body.errors[0].metadata.status, 'BAD_REQUEST');
    assert.deepEqual(checkPublishedResponse('repositoryChangeRequests.create', res.status, res.body), []);
  });

  test('a bad path id is 404 naming the parameter where the operation lists 404', async () => {
    const res = await h.request('GET', `/v1/agents/${'x'.repeat(100)}`);
    assert.equal(res.status, 404, res.text);
    assert.deepEqual(res.body.errors[0].path, ['path', 'id']);
    assert.deepEqual(checkPublishedResponse('agents.get', res.status, res.body), []);
  });

  test('a query problem is 422 where the operation lists 422 and not 400', async () => {
    const res = await h.request('POST', '/v1/agent_turns/trn_aaaaaaaaaaaaaaaaaaaaaaaaaa:cancel?zz=%00');
    assert.equal(res.status, 422, res.text);
    assert.deepEqual(res.body.errors[0].path, ['query', 'zz']);
    assert.deepEqual(checkPublishedResponse('agentTurns.cancel', res.status, res.body), []);
  });

  test('limit=101 on every published list is served as 100, not refused', async () => {
    const lists = served().filter((op) => op.method === 'GET' && op.queryParams.includes('limit'));
    assert.ok(lists.length >= 10, `${lists.length} lists`);
    const failures: string[] = [];
    for (const op of lists) {
      // The query parameters the operation requires besides limit (detectConflicts: resource and id).
      const required = (publishedOperations.get(op.operationId)!.operation.parameters ?? [])
        .filter((p: any) => p.in === 'query' && p.required && p.name !== 'limit')
        .map((p: any) => `&${p.name}=${encodeURIComponent(p.schema?.enum?.[0] ?? 'x')}`)
        .join('');
      const query = `limit=101${required}`;
      const res = await send(op, { kind: 'query', what: query, convention: 200, query });
      // Lists under a parent that does not exist are 404 (as for any limit); the others 200.
      const expected = op.pathParams.length > 0 ? 404 : 200;
      if (res.status !== expected)
        failures.push(`${op.operationId} → ${res.status} ${res.text.slice(0, 160)}`);
      // (The event stream, without follow, sends its page as Server-Sent Events and ends.)
      if (expected === 200 && typeof res.body === 'object') {
        const problems = checkPublishedResponse(op.operationId, res.status, res.body);
        if (problems.length > 0) failures.push(`${op.operationId}: ${problems.join('; ')}`);
      }
    }
    if (failures.length > 0) assert.fail(failures.join('\n'));
  });
});
