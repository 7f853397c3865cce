/**
 * Fuzz test of the HTTP edge (issue 11, F6): every operation in /v1/openapi.json gets malformed variants
 * of its body, path parameters, query string and headers (src/testing/openapi-fuzz.ts), against real
 * resources where a route needs a parent. No variant may get a 5xx; variants that can never be valid
 * (U+0000, lone surrogates, hostile nesting, not JSON…) must get a 4xx in the family's envelope.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { createAgent, createSession, createTurn } from '../agents/test-fixtures.ts';
import { install, publish, waitOperation } from '../installs/test-fixtures.ts';
import { startHarness, type Harness } from '../testing/harness.ts';
import {
  bodyVariants,
  headerVariants,
  operationsOf,
  pathVariants,
  queryVariants,
  sampleBody,
  type FuzzOperation,
  type FuzzRequest,
} from '../testing/openapi-fuzz.ts';
import { familyOf } from './families.ts';

const SECRET = 'fuzz-test-secret-0123456789abcdefghijklmnop';

type Sent = { status: number; contentType: string; text: string };

describe('HTTP edge fuzz: malformed requests to every documented operation', () => {
  let h: Harness;
  let doc: any;
  let jwt: string;
  /** Real ids by the path parameter they fill, keyed by the path's first segment for `id`. */
  const ids: Record<string, string> = {};
  let keys = 0;

  before(async () => {
    h = await startHarness({ ATOLL_JWT_SECRET: SECRET, ATOLL_JOB_POLL_MS: '50' });
    jwt = await new SignJWT({ sub: 'fuzzer', atoll_workspaces: '*' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(SECRET));
    doc = (await h.request('GET', '/v1/openapi.json', { token: null })).body;
    const me = { id: h.workspaceId, token: h.token };
    const ok = (res: { status: number; text: string }, status = 201) => {
      assert.equal(res.status, status, res.text);
      return (res as any).body;
    };
    ids.workspaces = h.workspaceId;
    ids.api_tokens = ok(await h.request('POST', '/v1/api_tokens', { body: { name: 'fuzz' } })).id;
    const snippet = ok(
      await h.request('POST', '/v1/snippets', {
        body: { name: 'fuzz', code: 'return 1', display_type: 'json' },
      }),
    );
    ids.snippets = snippet.snippet_id;
    const run = ok(await h.request('POST', `/v1/snippets/${ids.snippets}/runs`, { body: {} }));
    ids.run_id = run.id;
    ids.snippet_runs = run.id;
    ids.agents = (await createAgent(h, me)).id;
    const session = await createSession(h, me, { agent_id: ids.agents });
    ids.agent_sessions = session.id;
    ids.agent_turns = (await createTurn(h, me, session.id)).id;
    const approval = ok(
      await h.request('POST', `/v1/agent_turns/${ids.agent_turns}:emit`, {
        headers: { 'idempotency-key': 'fuzz-approval' },
        body: {
          type: 'approval_request',
          data: { title: 'Fuzz', summary: 'Approve?', actions: [{ id: 'go', label: 'Go' }] },
        },
      }),
    );
    ids.approval_requests = approval.data.approval_request_id;
    const pkg = await publish(h, { name: 'fuzz' });
    ids.packages = pkg.packageId;
    ids.version_id = pkg.versionId;
    const inst = await install(h, pkg.packageId);
    ids.installs = inst.id;
    ids.repositories = inst.repository_id;
    const renders = ok(await h.request('GET', `/v1/installs/${inst.id}/renders`), 200);
    ids.render_id = renders.data[0].id;
    const rcr = ok(
      await h.request('POST', '/v1/repository_change_requests', {
        headers: { 'idempotency-key': 'fuzz-rcr' },
        body: { kind: 'user', parent_repository_id: inst.repository_id },
      }),
    );
    ids.repository_change_requests = rcr.id;
    const ops = ok(await h.request('GET', '/v1/operations?limit=1'), 200);
    ids.operations = ops.data[0].id;
    await waitOperation(h, ops.data[0].id);
    const deployment = ok(
      await h.request('POST', '/v1/agent-deployments', {
        headers: { 'idempotency-key': 'fuzz-dep' },
        body: { name: 'fuzz', mode: 'job' },
      }),
    );
    ids.deployment_id = deployment.id;
    // Runs and services would start sandboxes: syntactically valid ids that do not exist stand in.
    ids['agent-deployments:run_id'] = 'arun_aaaaaaaaaaaaaaaaaaaaaaaaaa';
    ids.service_id = 'asvc_aaaaaaaaaaaaaaaaaaaaaaaaaa';
    ids['agent-deployments:version_id'] = 'aver_aaaaaaaaaaaaaaaaaaaaaaaaaa';
  });
  after(() => h.close());

  /** The real id for a path parameter of an operation. */
  function idFor(op: FuzzOperation, name: string): string {
    const resource = op.path.split('/')[2]!.replace(/:.*$/, '');
    return (
      ids[`${resource}:${name}`] ?? ids[name === 'id' ? resource : name] ?? 'zz_aaaaaaaaaaaaaaaaaaaaaaaaaa'
    );
  }

  async function send(op: FuzzOperation, v: FuzzRequest): Promise<Sent> {
    let path = op.path;
    for (const name of op.pathParams) {
      path = path.replace(`{${name}}`, v.params?.[name] ?? encodeURIComponent(idFor(op, name)));
    }
    if (v.query !== undefined) path += `?${v.query}`;
    const headers: Record<string, string> = {
      authorization: `Bearer ${op.operationId === 'workspaces.create' ? jwt : h.token}`,
    };
    if (op.headerParams.includes('idempotency-key')) headers['idempotency-key'] = `fuzz-${++keys}`;
    // A stale etag: a variant that slips through validation must not delete or change the fixtures.
    if (op.headerParams.includes('if-match')) headers['if-match'] = op.method === 'PATCH' ? '*' : '999999';
    const hasBody = op.method !== 'GET' && op.method !== 'DELETE';
    const body = v.raw ?? (hasBody ? sampleBody(doc, op) : undefined);
    const contentType = v.contentType === undefined ? 'application/json' : v.contentType;
    if (body !== undefined && contentType !== null) headers['content-type'] = contentType;
    Object.assign(headers, v.headers);
    const abort = new AbortController();
    const res = await h.atoll.app.request(path, {
      method: op.method,
      headers,
      body: body as RequestInit['body'],
      signal: abort.signal,
    });
    const type = res.headers.get('content-type') ?? '';
    if (type.includes('event-stream') || type.includes('octet-stream')) {
      abort.abort();
      await res.body?.cancel().catch(() => {});
      return { status: res.status, contentType: type, text: '' };
    }
    return { status: res.status, contentType: type, text: await res.text() };
  }

  /** Sends every variant; the failures as lines naming method, path, variant and answer. */
  async function fuzz(variantsOf: (op: FuzzOperation) => FuzzRequest[]): Promise<string[]> {
    const operations = operationsOf(doc).sort(
      (a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'),
    );
    const failures: string[] = [];
    const families = new Set<string>();
    let sent = 0;
    for (const op of operations) {
      for (const v of variantsOf(op)) {
        const res = await send(op, v);
        sent++;
        families.add(familyOf(op.path));
        const where = `${op.method} ${op.path} [${v.variant}]`;
        if (res.status >= 500) failures.push(`${where} → ${res.status} ${res.text.slice(0, 200)}`);
        else if (v.refuse && (res.status < 400 || !envelopeOk(op.path, res)))
          failures.push(
            `${where} → ${res.status} (expected a 4xx in the family's envelope) ${res.text.slice(0, 200)}`,
          );
      }
    }
    assert.ok(sent >= 100 && families.size === 2, `only ${sent} requests, to ${[...families]}`);
    return failures;
  }

  function envelopeOk(path: string, res: Sent): boolean {
    if (!res.contentType.includes('application/json')) return false;
    const body = JSON.parse(res.text);
    return familyOf(path) === 'akua'
      ? body.success === false && Array.isArray(body.errors) && body.errors.length > 0
      : typeof body.error?.code === 'string';
  }

  /** Fails with every failure listed (method, path, variant, answer). */
  const report = (failures: string[]) => {
    if (failures.length > 0) assert.fail(`${failures.length} failures:\n${failures.join('\n')}`);
  };

  test('malformed JSON bodies to every write operation are refused with a 4xx, never a 5xx', async () => {
    report(await fuzz((op) => bodyVariants(doc, op)));
  });

  test('path parameters with U+0000, invalid UTF-8 or too long are refused with a 4xx, never a 5xx', async () => {
    report(await fuzz(pathVariants));
  });

  test('query strings with U+0000 or invalid UTF-8 are refused with a 4xx, never a 5xx', async () => {
    report(await fuzz(queryVariants));
  });

  test('odd header values never get a 5xx', async () => {
    report(await fuzz(headerVariants));
  });
});
