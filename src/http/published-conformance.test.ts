/**
 * Akua's own clients against Atoll: every published operation Atoll serves, driven the way a client
 * generated from the published document drives it — custom methods with their colon sent as ":" and
 * as "%3A", a JWT that sends `akua-context` only where the operation declares it — and every response
 * checked against the published document (status listed for the operation, body valid for its schema).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { archive, git, waitOperation } from '../installs/test-fixtures.ts';
import { eventually } from '../testing/eventually.ts';
import { startHarness, tempDir, type Harness, type TestResponse } from '../testing/harness.ts';
import { checkPublishedResponse, publishedOperations } from '../testing/published-api.ts';

const SECRET = 'conformance-jwt-secret-long-enough-0123456789';
const COLONS = [':', '%3A'] as const;
type Colon = (typeof COLONS)[number];

type Call = {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  raw?: Uint8Array;
  headers?: Record<string, string>;
  /** The status expected (any status must be one the published operation lists). */
  expect: number;
};

const declaresContext = (operationId: string): boolean =>
  (publishedOperations.get(operationId)!.operation.parameters ?? []).some(
    (p: { name?: string }) => p.name === 'akua-context',
  );

describe('published operations, as a client generated from the published document sends them', () => {
  let h: Harness;
  let base: string;
  let jwt: string;
  /** The workspace resources are created in through operations that declare akua-context. */
  let named: { id: string; token: string };
  const covered = new Map<string, Set<Colon>>();

  before(async () => {
    h = await startHarness({ ATOLL_JWT_SECRET: SECRET, ATOLL_JOB_POLL_MS: '50' });
    base = await h.listen();
    named = await h.newWorkspace('conformance');
    // May act in two workspaces; its default is the one its client also names where akua-context is
    // declared (a client configured with one workspace). By-id operations find it from the resource.
    jwt = await new SignJWT({
      sub: 'conformance-user',
      atoll_workspaces: [h.workspaceId, named.id],
      atoll_default_workspace: named.id,
    })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(SECRET));
  });
  after(() => h.close());

  /** Calls a published operation by id; asserts the status and that the response is published-valid. */
  async function call(operationId: string, c: Call, colon: Colon = ':'): Promise<TestResponse> {
    const op = publishedOperations.get(operationId);
    assert.ok(op, `${operationId} is published`);
    let url = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = c.params?.[name];
      assert.ok(value !== undefined, `${operationId} needs path parameter ${name}`);
      return encodeURIComponent(value);
    });
    url = url.replace(/:(\w+)$/, `${colon}$1`);
    if (c.query) url += `?${new URLSearchParams(c.query)}`;
    const headers: Record<string, string> = { ...c.headers };
    if (declaresContext(operationId)) headers['akua-context'] = named.id;
    const res = await h.request(op.method, url, {
      token: jwt,
      headers,
      ...(c.body !== undefined ? { body: c.body } : {}),
      ...(c.raw !== undefined ? { raw: Buffer.from(c.raw) } : {}),
    });
    assert.equal(res.status, c.expect, `${op.method} ${url}: ${res.text.slice(0, 500)}`);
    const type = res.headers.get('content-type') ?? '';
    if (type.includes('json')) {
      assert.deepEqual(checkPublishedResponse(operationId, res.status, res.body), [], `${op.method} ${url}`);
    } else {
      assert.deepEqual(
        checkPublishedResponse(operationId, res.status, undefined).filter((p) => p.includes('does not list')),
        [],
      );
    }
    const seen = covered.get(operationId) ?? new Set<Colon>();
    seen.add(colon);
    covered.set(operationId, seen);
    return res;
  }

  /** A custom method, once with each spelling of its colon; `each` gives the call for a spelling. */
  async function bothColons(operationId: string, each: (colon: Colon) => Promise<Call> | Call) {
    const out: TestResponse[] = [];
    for (const colon of COLONS) out.push(await call(operationId, await each(colon), colon));
    return out;
  }

  let key = 0;
  const idem = () => ({ 'idempotency-key': `conformance-${++key}` });
  const etagOf = async (operationId: string, params: Record<string, string>) =>
    (await call(operationId, { params, expect: 200 })).headers.get('etag') ?? '';

  test('workspaces and API tokens', async () => {
    const created = await call('workspaces.create', { body: { name: 'Conformance Two' }, expect: 201 });
    const id = created.body.id;
    await call('workspaces.list', { expect: 200 });
    const etag = await etagOf('workspaces.get', { id });
    await call('workspaces.update', {
      params: { id },
      body: { name: 'Renamed' },
      headers: { 'if-match': etag },
      expect: 200,
    });
    const member = { id, userId: 'auth0|conformance-friend' };
    await call('workspaces.addMember', {
      params: { id },
      body: { user_id: member.userId, role: 'member' },
      headers: idem(),
      expect: 201,
    });
    await call('workspaces.listMembers', { params: member, expect: 200 });
    await call('workspaces.updateMember', {
      params: member,
      body: { role: 'admin' },
      headers: idem(),
      expect: 200,
    });
    await call('workspaces.removeMember', { params: member, headers: idem(), expect: 204 });
    const token = await call('apiTokens.create', { body: { name: 'ci' }, expect: 201 });
    await call('apiTokens.list', { expect: 200 });
    await call('apiTokens.revoke', { params: { id: token.body.id }, expect: 204 });
    const current = await etagOf('workspaces.get', { id });
    const deleted = await call('workspaces.delete', {
      params: { id },
      headers: { 'if-match': current },
      expect: 202,
    });
    await call('operations.get', { params: { id: deleted.body.id }, expect: 200 });
  });

  test('snippets and their runs', async () => {
    const created = await call('snippets.create', {
      body: { name: 'conformance', code: 'async () => ({ ok: 1 })', display_type: 'json' },
      expect: 201,
    });
    const id = created.body.snippet_id;
    await call('snippets.list', { expect: 200 });
    const etag = await etagOf('snippets.get', { id });
    await call('snippets.update', {
      params: { id },
      body: { description: 'd' },
      headers: { 'if-match': etag },
      expect: 200,
    });
    await bothColons('snippets.executeStored', () => ({ params: { id }, body: {}, expect: 200 }));
    await bothColons('snippets.execute', () => ({ body: { code: 'async () => 1' }, expect: 200 }));
    const run = await call('snippets.createRun', { params: { id }, body: {}, headers: idem(), expect: 201 });
    await call('snippets.listRuns', { params: { id }, expect: 200 });
    await call('snippets.getRun', { params: { id, run_id: run.body.id }, expect: 200 });
    await call('snippetRuns.list', { expect: 200 });
    await call('snippetRuns.get', { params: { id: run.body.id }, expect: 200 });
    await bothColons('snippets.getUsage', () => ({ params: { id }, expect: 200 }));
    await bothColons('snippets.listUsage', () => ({ expect: 200 }));
    const latest = await etagOf('snippets.get', { id });
    await call('snippets.delete', { params: { id }, headers: { 'if-match': latest }, expect: 204 });
  });

  test('agents, sessions, turns, events and approvals', async () => {
    const agent = await call('agents.create', {
      body: { name: 'Conformance agent', instructions: 'Help.', capabilities: ['CHAT'] },
      expect: 201,
    });
    const agentId = agent.body.id;
    await call('agents.list', { expect: 200 });
    const agentEtag = (await call('agents.get', { params: { id: agentId }, expect: 200 })).body.etag;
    await call('agents.update', {
      params: { id: agentId },
      body: { description: 'x' },
      headers: { 'if-match': agentEtag },
      expect: 200,
    });
    await bothColons('agents.enable', () => ({ params: { id: agentId }, body: {}, expect: 200 }));

    const session = await call('agentSessions.create', { body: { agent_id: agentId }, expect: 201 });
    const sessionId = session.body.id;
    await call('agentSessions.list', { expect: 200 });
    await call('agentSessions.get', { params: { id: sessionId }, expect: 200 });
    await bothColons('agentSessions.setRetention', () => ({
      params: { id: sessionId },
      body: {
        events_retained_until: 2_000_000_000,
        filesystem_retained_until: 1_900_000_000,
        filesystem_pinned: true,
        retention_reason: 'PINNED',
      },
      expect: 200,
    }));

    const turns: string[] = [];
    for (let i = 0; i < 3; i++) {
      const turn = await call('agentTurns.create', {
        body: { session_id: sessionId, message: `go ${i}` },
        headers: idem(),
        expect: 201,
      });
      turns.push(turn.body.id);
    }
    await call('agentTurns.list', { query: { session: sessionId }, expect: 200 });
    await call('agentTurns.get', { params: { id: turns[0]! }, expect: 200 });
    const approvals: string[] = [];
    for (const colon of COLONS) {
      const emitted = await call(
        'agentTurns.emit',
        {
          params: { id: turns[0]! },
          body: { type: 'approval_request', data: { title: `Deploy ${colon}?`, summary: 'to prod' } },
          headers: idem(),
          expect: 201,
        },
        colon,
      );
      approvals.push(emitted.body.data.approval_request_id);
    }
    await call('agentEvents.list', { query: { session: sessionId }, expect: 200 });
    await bothColons('agentEvents.stream', () => ({
      query: { session: sessionId, follow: 'false' },
      expect: 200,
    }));
    await call('approvalRequests.list', { query: { session: sessionId }, expect: 200 });
    for (const [i, colon] of COLONS.entries()) {
      const listed = await call('approvalRequests.list', {
        query: { session: sessionId, state: 'PENDING' },
        expect: 200,
      });
      const approval = listed.body.data.find((a: { id: string }) => a.id === approvals[i]);
      await call(
        'approvalRequests.resolve',
        {
          params: { id: approvals[i]! },
          body: { decision: 'APPROVE' },
          headers: { 'if-match': approval.etag, ...idem() },
          expect: 200,
        },
        colon,
      );
    }
    for (const [i, colon] of COLONS.entries()) {
      await call(
        'agentTurns.cancel',
        { params: { id: turns[i + 1]! }, body: {}, headers: idem(), expect: 200 },
        colon,
      );
    }
    await call('agentTurns.emit', {
      params: { id: turns[0]! },
      body: {
        type: 'artifact',
        data: {
          artifact_type: 'diff',
          title: 'change',
          resource_refs: [{ resource: 'repository', id: 'repo_conformance' }],
        },
      },
      headers: idem(),
      expect: 201,
    });
    const conflicts = await bothColons('agentSessions.detectConflicts', () => ({
      query: { resource: 'repository', id: 'repo_conformance' },
      expect: 200,
    }));
    assert.equal(conflicts[0]!.body.data[0].session_id, sessionId);
    const prefs = await call('agentPreferences.get', { expect: 200 });
    await call('agentPreferences.update', {
      body: { communication_profile: 'EXPERT', learning_mode_enabled: true, seen_concepts: ['install'] },
      expect: 200,
    });
    assert.ok(prefs.body.id);
    const skills = await call('agentSkills.list', { expect: 200 });
    await call('agentSkills.get', { params: { id: skills.body.data[0].id }, expect: 200 });
    const templates = await call('agentTemplates.list', { expect: 200 });
    await call('agentTemplates.get', { params: { id: templates.body.data[0].id }, expect: 200 });
    await call('agentSessions.archive', { params: { id: sessionId }, expect: 200 });
    await call('agents.archive', { params: { id: agentId }, expect: 200 });
  });

  test('packages, installs, renders, repositories, operations and change requests', async () => {
    const gzip = { 'content-type': 'application/gzip' };
    const pkg = await call('packages.create', {
      raw: await archive({ name: 'conf' }),
      headers: { ...gzip, ...idem() },
      expect: 202,
    });
    const packageId = pkg.body.response.package_id;
    const firstVersion = pkg.body.response.package_version_id;
    await call('packages.list', { expect: 200 });
    await call('packages.get', { params: { id: packageId }, expect: 200 });
    const v2 = await call('packages.createVersion', {
      params: { id: packageId },
      raw: await archive({ name: 'conf', version: '1.1.0' }),
      headers: gzip,
      expect: 201,
    });
    await call('packages.listVersions', { params: { id: packageId }, expect: 200 });
    await call('packages.getVersion', { params: { id: packageId, version_id: v2.body.id }, expect: 200 });
    await call('packages.getVersionInputs', {
      params: { id: packageId, version_id: v2.body.id },
      expect: 200,
    });

    const created = await call('installs.create', {
      body: {
        package_id: packageId,
        package_version_pin: { kind: 'latest' },
        region_id: 'local',
        initial_values: {},
      },
      headers: idem(),
      expect: 202,
    });
    const installId = created.body.owner_id;
    await call('operations.get', { params: { id: created.body.id }, expect: 200 });
    for (const colon of COLONS) {
      await call(
        'operations.wait',
        { params: { id: created.body.id }, query: { timeout: '30' }, body: {}, expect: 200 },
        colon,
      );
    }
    await waitOperation(h, created.body.id, named.token);
    await call('operations.list', { expect: 200 });
    await call('installs.list', { expect: 200 });
    const inst = (await call('installs.get', { params: { id: installId }, expect: 200 })).body;

    for (const colon of COLONS) {
      const etag = (await call('installs.get', { params: { id: installId }, expect: 200 })).body.etag;
      const upd = await call(
        'installs.updateVersion',
        {
          params: { id: installId },
          body: { package_version_id: colon === ':' ? firstVersion : v2.body.id },
          headers: { 'if-match': etag, ...idem() },
          expect: 202,
        },
        colon,
      );
      await waitOperation(h, upd.body.render.operation_id, named.token);
    }
    const renders = await call('installs.listRenders', { params: { id: installId }, expect: 200 });
    const renderId = renders.body.data.at(-1).id;
    await call('installs.getRender', { params: { id: installId, render_id: renderId }, expect: 200 });
    await call('installs.getStatus', { params: { id: installId }, expect: 200 });
    for (const enabled of [false, true]) {
      const etag = (await call('installs.get', { params: { id: installId }, expect: 200 })).body.etag;
      const set = await call('installs.setAutomaticUpdates', {
        params: { id: installId },
        body: { automatic_updates_enabled: enabled },
        headers: { 'if-match': etag, ...idem() },
        expect: 200,
      });
      if (set.body.render) await waitOperation(h, set.body.render.operation_id, named.token);
    }
    for (const op of ['installs.listPods', 'installs.getLogs']) {
      const res = await call(op, { params: { id: installId }, expect: 404 });
      assert.equal(res.body.errors[0].metadata.reason, 'no_cluster_connection');
    }
    for (const colon of COLONS) {
      const etag = (await call('installs.get', { params: { id: installId }, expect: 200 })).body.etag;
      const restored = await call(
        'installs.restore',
        {
          params: { id: installId },
          body: { render_id: renderId },
          headers: { 'if-match': etag, ...idem() },
          expect: 202,
        },
        colon,
      );
      await waitOperation(h, restored.body.render.operation_id, named.token);
    }
    // Each spelling cancels its own render (a second cancel of one operation is 422 operation_done).
    await bothColons('operations.cancel', async () => {
      const started = await call('installs.createRender', {
        params: { id: installId },
        body: { skip_unchanged: false },
        headers: idem(),
        expect: 201,
      });
      return { params: { id: started.body.operation_id }, body: {}, headers: idem(), expect: 202 };
    });

    await call('repositories.list', { expect: 200 });
    await call('repositories.get', { params: { id: inst.repository_id }, expect: 200 });

    const open = async () =>
      (
        await call('repositoryChangeRequests.create', {
          body: { kind: 'user', parent_repository_id: inst.repository_id },
          headers: idem(),
          expect: 201,
        })
      ).body;
    await call('repositoryChangeRequests.list', { expect: 200 });
    for (const colon of COLONS) {
      const rcr = await open();
      await call('repositoryChangeRequests.get', { params: { id: rcr.id }, expect: 200 });
      const tok = (
        await call(
          'repositoryChangeRequests.createToken',
          { params: { id: rcr.id }, body: { scope: 'write' }, headers: idem(), expect: 201 },
          colon,
        )
      ).body;
      const target = new URL(base);
      const dir = path.join(tempDir('atoll-conformance-'), 'fork');
      await git(
        process.cwd(),
        'clone',
        '--quiet',
        `${target.protocol}//x:${tok.fork_write_token}@${target.host}${new URL(tok.fork_remote_url).pathname}`,
        dir,
      );
      await git(dir, 'config', 'user.name', 'Reviewer');
      await git(dir, 'config', 'user.email', 'reviewer@example.com');
      fs.writeFileSync(path.join(dir, 'inputs.yaml'), `replicas: ${colon === ':' ? 3 : 4}\n`);
      await git(dir, 'commit', '--quiet', '-am', 'More replicas');
      await git(dir, 'push', '--quiet', 'origin', 'main');
      const ready = (await call('repositoryChangeRequests.get', { params: { id: rcr.id }, expect: 200 }))
        .body;
      const accepted = await call(
        'repositoryChangeRequests.accept',
        { params: { id: rcr.id }, headers: { 'if-match': ready.etag, ...idem() }, expect: 200 },
        colon,
      );
      await waitOperation(h, accepted.body.operation_id, named.token);
      const rejectMe = await open();
      await call(
        'repositoryChangeRequests.reject',
        {
          params: { id: rejectMe.id },
          body: { rejection_reason: 'Not now' },
          headers: { 'if-match': rejectMe.etag, ...idem() },
          expect: 200,
        },
        colon,
      );
      const withdrawMe = await open();
      await call(
        'repositoryChangeRequests.withdraw',
        { params: { id: withdrawMe.id }, headers: { 'if-match': withdrawMe.etag, ...idem() }, expect: 200 },
        colon,
      );
    }

    const etag = (await call('installs.get', { params: { id: installId }, expect: 200 })).body.etag;
    const removed = await call('installs.delete', {
      params: { id: installId },
      headers: { 'if-match': etag, ...idem() },
      expect: 202,
    });
    await waitOperation(h, removed.body.id, named.token);
    const pkgEtag = (await call('packages.get', { params: { id: packageId }, expect: 200 })).body.etag;
    await call('packages.delete', {
      params: { id: packageId },
      headers: { 'if-match': pkgEtag, ...idem() },
      expect: 204,
    });
  });

  test('regions, registry connections, quotas, entitlements and notifications', async () => {
    await call('regions.create', { body: { name: 'eu-west' }, expect: 201 });
    await call('regions.list', { expect: 200 });
    const credential = await call('registry.createCredential', {
      body: {
        name: 'GitHub Container Registry',
        registry_url: 'ghcr.io',
        type: 'basic',
        credentials: { username: 'robot', password: 'secret' },
      },
      headers: idem(),
      expect: 201,
    });
    await call('registry.listCredentials', { expect: 200 });
    await call('registry.deleteCredential', { params: { id: credential.body.id }, expect: 204 });
    const quotas = await call('quotas.list', { expect: 200 });
    await call('quotas.get', { params: { metric: quotas.body.data[0].metric }, expect: 200 });
    await call('entitlements.list', { expect: 200 });

    // A run of the caller's that fails notifies the caller.
    const snippet = await call('snippets.create', {
      body: { name: 'fails', code: "async () => { throw new Error('no'); }", display_type: 'json' },
      expect: 201,
    });
    await call('snippets.createRun', {
      params: { id: snippet.body.snippet_id },
      body: {},
      headers: idem(),
      expect: 201,
    });
    const list = await eventually(
      async () => {
        const list = await call('notifications.list', { query: { unread: 'true' }, expect: 200 });
        assert.ok(list.body.data.length > 0, 'the failed run notified its caller');
        return list;
      },
      { intervalMs: 100, message: 'the notification of the failed run' },
    );
    const count = await call('notifications.getUnreadCount', { expect: 200 });
    assert.ok(count.body.count > 0);
    await call('notifications.markRead', { params: { id: list.body.data[0].id }, expect: 204 });
    await call('notifications.markAllRead', { expect: 204 });
    assert.equal((await call('notifications.getUnreadCount', { expect: 200 })).body.count, 0);
  });

  test('dashboards, their widgets and revisions', async () => {
    const snippet = await call('snippets.create', {
      body: { name: 'tile', code: 'async () => 1', display_type: 'stat' },
      expect: 201,
    });
    const snippetId = snippet.body.snippet_id;
    const created = await call('dashboards.create', {
      body: { name: 'Conformance', widgets: [{ snippet_id: snippetId, col_span: 2 }] },
      expect: 201,
    });
    const id = created.body.dashboard_id;
    await call('dashboards.list', { expect: 200 });
    await call('dashboards.getWorkspaceOverview', { expect: 200 });
    let etag = await etagOf('dashboards.get', { id });
    await call('dashboards.update', {
      params: { id },
      body: { name: 'Conformance 2' },
      headers: { 'if-match': etag },
      expect: 200,
    });
    const widget = await call('dashboards.createWidget', {
      params: { id },
      body: { widget_type: 'snippet', snippet_id: snippetId, col_span: 1 },
      headers: idem(),
      expect: 201,
    });
    await call('dashboards.listWidgets', { params: { id }, expect: 200 });
    const widgetEtag = await etagOf('dashboards.getWidget', { id, wgt_id: widget.body.id });
    const changed = await call('dashboards.updateWidget', {
      params: { id, wgt_id: widget.body.id },
      body: { widget_type: 'snippet', title: 'Tile' },
      headers: { 'if-match': widgetEtag, ...idem() },
      expect: 200,
    });
    await call('dashboards.deleteWidget', {
      params: { id, wgt_id: widget.body.id },
      headers: { 'if-match': changed.body.etag },
      expect: 204,
    });
    etag = await etagOf('dashboards.get', { id });
    const revision = await call('dashboards.createRevision', {
      params: { id },
      body: {
        name: 'Conformance 3',
        description: 'filters',
        filter_definitions: [{ kind: 'time', key: 'time', label: 'Time' }],
        default_filter_values: {},
        widgets: [],
        summary: 'Empty it',
      },
      headers: { 'if-match': etag, ...idem() },
      expect: 201,
    });
    const reset = await call('dashboards.resetToRecommended', {
      params: { id },
      headers: { 'if-match': revision.body.dashboard_etag, ...idem() },
      expect: 201,
    });
    await call(
      'dashboards.resetToRecommended',
      { params: { id }, headers: { 'if-match': reset.body.dashboard_etag, ...idem() }, expect: 201 },
      '%3A',
    );
    const revisions = await call('dashboards.listRevisions', { params: { id }, expect: 200 });
    const first = revisions.body.data[revisions.body.data.length - 1].id;
    await call('dashboards.getRevision', { params: { id, revision_id: revision.body.id }, expect: 200 });
    let current = String(Number(reset.body.dashboard_etag) + 1);
    await bothColons('dashboards.restoreRevision', async () => {
      const call: Call = {
        params: { id, revision_id: first },
        body: { summary: 'Back' },
        headers: { 'if-match': current, ...idem() },
        expect: 201,
      };
      current = String(Number(current) + 1);
      return call;
    });
    await call('dashboards.delete', {
      params: { id },
      headers: { 'if-match': await etagOf('dashboards.get', { id }) },
      expect: 204,
    });
  });

  test('a published operation Atoll does not serve answers 501 saying why, never "no route"', async () => {
    const doc = (await h.request('GET', '/v1/openapi.json', { token: null })).body;
    const served = new Set(
      Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap((item) =>
        Object.values(item).map((o) => o.operationId),
      ),
    );
    const answers: string[] = [];
    for (const op of publishedOperations.values()) {
      if (served.has(op.operationId)) continue;
      const url = op.path.replace(/\{(\w+)(?::\*)?\}/g, (_, name: string) => `${name}_probe`);
      const res = await h.request(op.method, url, {
        token: jwt,
        ...(op.method === 'GET' ? {} : { body: {} }),
      });
      const entry = res.body?.errors?.[0];
      if (res.status !== 501 || !/is not served by Atoll: .+docs\/compatibility\.md/.test(entry?.message))
        answers.push(`${op.operationId} ${op.method} ${url}: ${res.status} ${entry?.message}`);
      else assert.match(entry.metadata.reason, /^(out_of_scope|not_yet_served)$/);
    }
    assert.deepEqual(answers, []);
  });

  // Last: it reads what the tests above covered.
  test('every published operation Atoll serves was driven, custom methods with both spellings of the colon', async () => {
    const doc = (await h.request('GET', '/v1/openapi.json', { token: null })).body;
    const served = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>)
      .flatMap((item) => Object.values(item).map((o) => o.operationId))
      .filter((id) => publishedOperations.has(id));
    const missing = served.filter((id) => !covered.has(id));
    assert.deepEqual(missing, [], 'every served published operation is driven here');
    const oneColon = served.filter(
      (id) => /:\w+$/.test(publishedOperations.get(id)!.path) && covered.get(id)!.size < COLONS.length,
    );
    assert.deepEqual(oneColon, [], 'custom methods are driven with ":" and "%3A"');
  });
});
