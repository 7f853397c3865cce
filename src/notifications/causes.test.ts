/**
 * Each cause of a notification, driven for real (an agent's approval request, a render program that
 * throws, a push to a change request's fork, an install that requires review, a failed snippet run in
 * an agent turn), and who hears of it: the subject involved and the workspace's members, no one else.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { createTurn, type Actor } from '../agents/test-fixtures.ts';
import { git, publish, waitOperation } from '../installs/test-fixtures.ts';
import { eventually } from '../testing/eventually.ts';
import { startHarness, tempDir, type Harness } from '../testing/harness.ts';
import { checkPublishedResponse } from '../testing/published-api.ts';

const SECRET = 'notification-causes-secret-0123456789abcdef';
const jwtFor = (sub: string, workspaces?: string[]) =>
  new SignJWT({ sub, ...(workspaces ? { atoll_workspaces: workspaces } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(SECRET));

describe('what notifies whom', () => {
  let h: Harness;
  let base: string;
  /** alice created the workspace (a member); bob may act in it by his claim but is no member. */
  let alice: string;
  let bob: string;
  let ws: Actor;
  let keys = 0;

  before(async () => {
    h = await startHarness({ ATOLL_JWT_SECRET: SECRET, ATOLL_JOB_POLL_MS: '50' });
    base = await h.listen();
    alice = await jwtFor('alice');
    const created = await h.request('POST', '/v1/workspaces', { token: alice, body: { name: 'Causes' } });
    assert.equal(created.status, 201, created.text);
    const token = await h.request('POST', '/v1/api_tokens', {
      token: alice,
      headers: { 'akua-context': created.body.id },
      body: { name: 'automation' },
    });
    assert.equal(token.status, 201, token.text);
    ws = { id: created.body.id, token: token.body.token };
    bob = await jwtFor('bob', [ws.id]);
  });
  after(() => h.close());

  /** The caller's notifications about `resourceId` (the list checked against the published schema). */
  async function about(token: string, resourceId: string): Promise<any[]> {
    const res = await h.request('GET', '/v1/notifications', { token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(checkPublishedResponse('notifications.list', 200, res.body), []);
    return res.body.data.filter((n: any) => n.resource_id === resourceId);
  }

  /** Asserts the token and alice got exactly one notification about the resource, and bob none. */
  async function toldOnce(resourceId: string): Promise<any> {
    const [mine, ...more] = await about(ws.token, resourceId);
    assert.ok(mine, `the token was told about ${resourceId}`);
    assert.equal(more.length, 0, 'once');
    const hers = await about(alice, resourceId);
    assert.equal(hers.length, 1, 'the member was told once');
    assert.notEqual(hers[0].id, mine.id, 'each recipient has its own notification');
    assert.deepEqual({ ...hers[0], id: mine.id }, mine);
    assert.deepEqual(await about(bob, resourceId), [], 'not a member, not involved: not told');
    return mine;
  }

  const request = (method: string, url: string, body?: unknown, headers: Record<string, string> = {}) =>
    h.request(method, url, { token: ws.token, body, headers });

  test('an approval request notifies whoever started the turn and the members, once however often the emit is retried', async () => {
    const turn = await createTurn(h, ws);
    const emit = () =>
      request(
        'POST',
        `/v1/agent_turns/${turn.id}:emit`,
        {
          type: 'approval_request',
          data: {
            title: 'Restart the database',
            summary: 'The primary is wedged; restarting it drops connections for 30 s.',
            actions: [{ id: 'restart', label: 'Restart', style: 'danger' }],
          },
        },
        { 'idempotency-key': `approve-${turn.id}` },
      );
    const first = await emit();
    assert.equal(first.status, 201, first.text);
    const approvalId = first.body.data.approval_request_id;
    assert.equal((await emit()).body.id, first.body.id, 'a replay');
    const n = await toldOnce(approvalId);
    assert.equal(n.type, 'approval_request_pending');
    assert.equal(n.resource_type, 'approval_request');
    assert.equal(n.title, 'Cluster doctor is waiting for your approval: Restart the database');
    assert.equal(n.body, 'The primary is wedged; restarting it drops connections for 30 s.');
    assert.equal(n.severity, 'warning');
    assert.deepEqual(n.context, {
      workspace_id: ws.id,
      agent_id: turn.agent_id,
      session_id: turn.session_id,
      turn_id: turn.id,
    });
    // Events that are not approval requests notify no one.
    const message = await request(
      'POST',
      `/v1/agent_turns/${turn.id}:emit`,
      { type: 'message', data: { role: 'assistant', content: 'Waiting for approval.' } },
      { 'idempotency-key': `message-${turn.id}` },
    );
    assert.equal(message.status, 201, message.text);
    assert.deepEqual(await about(ws.token, message.body.id), []);
  });

  test('a failed snippet run in an agent turn notifies who ran it, alongside the turn’s widget event', async () => {
    const turn = await createTurn(h, ws);
    const snippet = await request('POST', '/v1/snippets', {
      name: 'Check quota',
      code: 'throw new Error("quota API down")',
      display_type: 'json',
    });
    const run = await request('POST', `/v1/snippets/${snippet.body.snippet_id}/runs`, {
      agent_turn_id: turn.id,
    });
    assert.equal(run.status, 201, run.text);
    assert.equal(run.body.state, 'failed');
    const [n, ...more] = await about(ws.token, run.body.id);
    assert.equal(more.length, 0);
    assert.equal(n.type, 'snippet_run_failed');
    assert.equal(n.context.agent_turn_id, turn.id);
    assert.deepEqual(await about(alice, run.body.id), [], 'a run is its runner’s business');
    const events = await request('GET', `/v1/agent_events?turn=${turn.id}`);
    assert.ok(
      events.body.data.some((e: any) => e.data?.snippet_run?.id === run.body.id),
      'the run was announced in its turn',
    );
  });

  test('a render that fails notifies who asked for it and the members', async () => {
    const { packageId } = await publish(
      h,
      {
        name: 'thrower',
        program:
          'export default function render(input) { if (input.replicas > 5) throw new Error("too many replicas: " + input.replicas); return []; }',
      },
      ws.token,
    );
    const created = await request('POST', '/v1/installs', {
      package_id: packageId,
      package_version_pin: { kind: 'latest' },
      region_id: 'local',
      initial_values: { replicas: 9 },
    });
    assert.equal(created.status, 202, created.text);
    assert.equal((await waitOperation(h, created.body.id, ws.token)).state, 'FAILED');
    const installId = created.body.owner_id;
    const renders = (await request('GET', `/v1/installs/${installId}/renders`)).body.data;
    assert.equal(renders[0].state, 'failed');
    const n = await toldOnce(renders[0].id);
    assert.equal(n.type, 'install_render_failed');
    assert.equal(n.resource_type, 'install_render');
    assert.equal(n.title, `Render of thrower (install ${installId}) failed`);
    assert.match(n.body, /too many replicas: 9/);
    assert.equal(n.severity, 'critical');
    assert.equal(n.context.install_id, installId);
    assert.equal(n.context.package_id, packageId);
    assert.equal(n.context.operation_id, created.body.id);
    assert.equal(typeof n.context.failure_code, 'string');
  });

  /** An install of a package that renders fine, created by the workspace token; the install as served. */
  async function healthyInstall(name: string, extra: Record<string, unknown> = {}) {
    const { packageId } = await publish(h, { name }, ws.token);
    const created = await request('POST', '/v1/installs', {
      package_id: packageId,
      package_version_pin: { kind: 'latest' },
      region_id: 'local',
      ...extra,
    });
    assert.equal(created.status, 202, created.text);
    return { id: created.body.owner_id as string, operationId: created.body.id as string };
  }

  test('a change request becomes ready for review on a push with changes: the members and its opener are told, once per time it becomes ready', async () => {
    const inst = await healthyInstall('pushed');
    await waitOperation(h, inst.operationId, ws.token);
    const served = (await request('GET', `/v1/installs/${inst.id}`)).body;
    const rcr = await request(
      'POST',
      '/v1/repository_change_requests',
      { kind: 'user', parent_repository_id: served.repository_id },
      { 'idempotency-key': `rcr-${++keys}` },
    );
    assert.equal(rcr.status, 201, rcr.text);
    assert.deepEqual(await about(ws.token, rcr.body.id), [], 'opened without changes: nothing to review');
    const tok = await request(
      'POST',
      `/v1/repository_change_requests/${rcr.body.id}:createToken`,
      { scope: 'write' },
      { 'idempotency-key': `tok-${++keys}` },
    );
    assert.equal(tok.status, 201, tok.text);
    const url = new URL(tok.body.fork_remote_url);
    const target = new URL(base);
    const dir = path.join(tempDir('atoll-notify-fork-'), 'fork');
    await git(
      process.cwd(),
      'clone',
      '--quiet',
      `${target.protocol}//x:${tok.body.fork_write_token}@${target.host}${url.pathname}`,
      dir,
    );
    await git(dir, 'config', 'user.name', 'Reviewer');
    await git(dir, 'config', 'user.email', 'reviewer@example.com');
    const commitAndPush = async (replicas: number) => {
      fs.writeFileSync(path.join(dir, 'inputs.yaml'), `replicas: ${replicas}\n`);
      await git(dir, 'commit', '--quiet', '-am', `${replicas} replicas`);
      await git(dir, 'push', '--quiet', 'origin', 'main');
    };
    await commitAndPush(4);
    assert.equal((await request('GET', `/v1/repository_change_requests/${rcr.body.id}`)).body.state, 'READY');
    const n = await toldOnce(rcr.body.id);
    assert.equal(n.type, 'repository_change_request_ready');
    assert.equal(n.resource_type, 'repository_change_request');
    assert.match(n.title, /^Change request ready for review: an inputs change to repository /);
    assert.equal(n.severity, 'info');
    assert.equal(n.context.install_id, inst.id);
    assert.equal(n.context.parent_repository_id, served.repository_id);
    assert.equal(n.context.change_type, 'inputs_change');
    // Still READY after another push: nothing new to announce.
    await commitAndPush(5);
    assert.equal((await about(ws.token, rcr.body.id)).length, 1);
  });

  test('an install that requires review: the render waiting for review tells the reviewers its change request is ready', async () => {
    const inst = await healthyInstall('reviewed', { require_review: true });
    const render = (await request('GET', `/v1/installs/${inst.id}/renders`)).body.data[0];
    const rcr = await eventually(
      async () => {
        const list = (await request('GET', '/v1/repository_change_requests?state=READY')).body.data;
        const rcr = list.find((r: any) => r.render_id === render.id);
        assert.ok(rcr, 'the render opened a change request');
        return rcr;
      },
      { intervalMs: 25, message: 'the change request of the render' },
    );
    const n = await toldOnce(rcr.id);
    assert.equal(n.type, 'repository_change_request_ready');
    assert.equal(n.context.render_id, render.id);
    assert.equal(n.context.install_id, inst.id);
  });
});
