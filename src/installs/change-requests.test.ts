import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../testing/eventually.ts';
import { startHarness, tempDir, type Harness } from '../testing/harness.ts';
import { checkPublishedResponse } from '../testing/published-api.ts';
import { git, install, publish, render, waitOperation } from './test-fixtures.ts';

/** The fork's URL on the listening server, with the token as the Basic password. */
function authed(base: string, forkUrl: string, token: string): string {
  const target = new URL(base);
  return `${target.protocol}//x:${token}@${target.host}${new URL(forkUrl).pathname}`;
}

async function cloneTo(url: string): Promise<string> {
  const dir = path.join(tempDir('atoll-fork-'), 'fork');
  await git(process.cwd(), 'clone', '--quiet', url, dir);
  await git(dir, 'config', 'user.name', 'Reviewer');
  await git(dir, 'config', 'user.email', 'reviewer@example.com');
  return dir;
}

describe('repository change requests', () => {
  let h: Harness;
  let base: string;
  before(async () => {
    h = await startHarness({ ATOLL_JOB_POLL_MS: '50' });
    base = await h.listen();
  });
  after(() => h.close());

  async function open(repositoryId: string, key: string) {
    const res = await h.request('POST', '/v1/repository_change_requests', {
      body: { kind: 'user', parent_repository_id: repositoryId },
      headers: { 'idempotency-key': key },
    });
    assert.equal(res.status, 201, res.text);
    return res.body;
  }

  async function token(id: string, key: string, scope = 'write') {
    const res = await h.request('POST', `/v1/repository_change_requests/${id}:createToken`, {
      body: { scope },
      headers: { 'idempotency-key': key },
    });
    assert.equal(res.status, 201, res.text);
    return res.body;
  }

  test('push to the fork → READY → :accept renders it and merges into main as a render carrying the request', async () => {
    const { packageId } = await publish(h, { name: 'rcr' });
    const inst = await install(h, packageId, { replicas: 2 });
    const rcr = await open(inst.repository_id, 'open-1');
    assert.equal(rcr.state, 'AWAITING_CHANGES');
    assert.equal(rcr.parent_repository_id, inst.repository_id);
    const replay = await open(inst.repository_id, 'open-1');
    assert.equal(replay.id, rcr.id, 'the idempotency key returns the same request');
    const missingKey = await h.request('POST', '/v1/repository_change_requests', {
      body: { kind: 'user', parent_repository_id: inst.repository_id },
    });
    assert.equal(missingKey.status, 400);
    const tok = await token(rcr.id, 'tok-1');
    assert.match(tok.fork_write_token, /^atoll_git_/);
    assert.equal(
      (await token(rcr.id, 'tok-1')).fork_write_token,
      tok.fork_write_token,
      'a replay returns the same token',
    );

    const dir = await cloneTo(authed(base, tok.fork_remote_url, tok.fork_write_token));
    fs.writeFileSync(path.join(dir, 'inputs.yaml'), 'replicas: 7\n');
    await git(dir, 'commit', '--quiet', '-am', 'Seven replicas');
    await git(dir, 'push', '--quiet', 'origin', 'main');
    // Only the fork's main may be pushed, and nothing deleted.
    await assert.rejects(git(dir, 'push', '--quiet', 'origin', 'HEAD:refs/heads/elsewhere'), /403/);
    // The token is for this fork only.
    const mainUrl = authed(base, inst.clone_url, tok.fork_write_token);
    await assert.rejects(git(process.cwd(), 'ls-remote', mainUrl), /not found|404/);
    // An API token may read the fork but never push.
    await assert.rejects(
      git(dir, 'push', '--quiet', authed(base, tok.fork_remote_url, h.token), 'main'),
      /403/,
    );

    const ready = (await h.request('GET', `/v1/repository_change_requests/${rcr.id}`)).body;
    assert.equal(ready.state, 'READY');
    assert.equal(ready.change_type, 'inputs_change');
    const stale = await h.request('POST', `/v1/repository_change_requests/${rcr.id}:accept`, {
      headers: { 'if-match': rcr.etag, 'idempotency-key': 'acc-stale' },
    });
    assert.equal(stale.status, 409, 'the push moved the etag');
    const accepted = await h.request('POST', `/v1/repository_change_requests/${rcr.id}:accept`, {
      headers: { 'if-match': ready.etag, 'idempotency-key': 'acc-1' },
    });
    assert.equal(accepted.status, 200, accepted.text);
    const op = await waitOperation(h, accepted.body.operation_id);
    assert.equal(op.state, 'SUCCEEDED', JSON.stringify(op));
    const done = (await h.request('GET', `/v1/repository_change_requests/${rcr.id}`)).body;
    assert.equal(done.state, 'ACCEPTED');
    const renders = (await h.request('GET', `/v1/installs/${inst.id}/renders`)).body.data;
    assert.equal(renders[0].repository_change_request_id, rcr.id);
    assert.equal(renders[0].state, 'deployed');
    const main = path.join(tempDir('atoll-main-'), 'main');
    await git(process.cwd(), 'clone', '--quiet', authed(base, inst.clone_url, h.token), main);
    assert.match(
      fs.readFileSync(path.join(main, 'manifests', '001-deployment-web.yaml'), 'utf8'),
      /replicas: 7/,
    );
    assert.match(await git(main, 'log', '-1', '--format=%B'), new RegExp(`Atoll-Change-Request: ${rcr.id}`));
    assert.equal(
      (await git(main, 'log', '-1', '--format=%P')).trim().split(' ').length,
      2,
      'a merge of the fork',
    );
    const after = (await h.request('GET', `/v1/installs/${inst.id}`)).body;
    assert.equal(after.state, 'healthy');
    // Closed requests take no pushes.
    fs.writeFileSync(path.join(dir, 'inputs.yaml'), 'replicas: 8\n');
    await git(dir, 'commit', '--quiet', '-am', 'Eight');
    await assert.rejects(git(dir, 'push', '--quiet', 'origin', 'main'), /403/);
  });

  test('a change that does not render fails the accept with the reason; reject and withdraw close requests', async () => {
    const { packageId } = await publish(h, { name: 'rcr-bad' });
    const inst = await install(h, packageId);
    const rcr = await open(inst.repository_id, 'open-bad');
    const tok = await token(rcr.id, 'tok-bad');
    const dir = await cloneTo(authed(base, tok.fork_remote_url, tok.fork_write_token));
    fs.writeFileSync(path.join(dir, 'inputs.yaml'), 'replicas: many\n');
    await git(dir, 'commit', '--quiet', '-am', 'Bad value');
    await git(dir, 'push', '--quiet', 'origin', 'main');
    const ready = (await h.request('GET', `/v1/repository_change_requests/${rcr.id}`)).body;
    const accepted = await h.request('POST', `/v1/repository_change_requests/${rcr.id}:accept`, {
      headers: { 'if-match': ready.etag, 'idempotency-key': 'acc-bad' },
    });
    assert.equal(accepted.status, 200, accepted.text);
    const op = await waitOperation(h, accepted.body.operation_id);
    assert.equal(op.state, 'FAILED');
    assert.match(op.error.message, /replicas/);
    const failed = (await h.request('GET', `/v1/repository_change_requests/${rcr.id}`)).body;
    assert.equal(failed.state, 'FAILED');
    assert.deepEqual(failed.failure.path, ['inputs', 'replicas']);
    const rejected = await h.request('POST', `/v1/repository_change_requests/${rcr.id}:reject`, {
      body: { rejection_reason: 'replicas must be a number' },
      headers: { 'if-match': failed.etag, 'idempotency-key': 'rej-1' },
    });
    assert.equal(rejected.status, 200, rejected.text);
    assert.equal((await h.request('GET', `/v1/repository_change_requests/${rcr.id}`)).body.state, 'REJECTED');

    const other = await open(inst.repository_id, 'open-withdraw');
    const withdrawn = await h.request('POST', `/v1/repository_change_requests/${other.id}:withdraw`, {
      headers: { 'if-match': other.etag, 'idempotency-key': 'wd-1' },
    });
    assert.equal(withdrawn.status, 200, withdrawn.text);
    assert.equal(
      (await h.request('GET', `/v1/repositories/${other.fork_repository_id}`)).status,
      404,
      'the fork is gone',
    );
    const list = (
      await h.request(
        'GET',
        `/v1/repository_change_requests?state=WITHDRAWN&parent_repository=${inst.repository_id}`,
      )
    ).body;
    assert.deepEqual(
      list.data.map((r: { id: string }) => r.id),
      [other.id],
    );
  });

  test('a change request may stay open up to 365 days; longer is refused with the status the published operation lists', async () => {
    const { packageId } = await publish(h, { name: 'rcr-ttl' });
    const inst = await install(h, packageId);
    const year = 365 * 24 * 3600;
    const before = Math.floor(Date.now() / 1000);
    const long = await h.request('POST', '/v1/repository_change_requests', {
      body: { kind: 'user', parent_repository_id: inst.repository_id, expires_at_seconds: year },
      headers: { 'idempotency-key': 'ttl-year' },
    });
    assert.equal(long.status, 201, long.text);
    assert.deepEqual(checkPublishedResponse('repositoryChangeRequests.create', long.status, long.body), []);
    assert.ok(long.body.expires_at >= before + year && long.body.expires_at <= before + year + 60);
    const tooLong = await h.request('POST', '/v1/repository_change_requests', {
      body: { kind: 'user', parent_repository_id: inst.repository_id, expires_at_seconds: year + 1 },
      headers: { 'idempotency-key': 'ttl-year-plus' },
    });
    assert.deepEqual(
      checkPublishedResponse('repositoryChangeRequests.create', tooLong.status, tooLong.body),
      [],
      tooLong.text,
    );
    assert.equal(tooLong.status, 400);
    assert.deepEqual(tooLong.body.errors[0].path, ['body', 'expires_at_seconds']);
  });

  test('an install that requires review: every changed render, the first one included, waits for its change request', async () => {
    const { packageId } = await publish(h, { name: 'reviewed' });
    const created = await h.request('POST', '/v1/installs', {
      body: {
        package_id: packageId,
        package_version_pin: { kind: 'latest' },
        region_id: 'local',
        require_review: true,
      },
    });
    assert.equal(created.status, 202, created.text);
    const installId = created.body.owner_id;

    /** The READY change request opened for render `renderId`, once it is there. */
    const reviewOf = async (renderId: string) => {
      return eventually(
        async () => {
          const list = (await h.request('GET', '/v1/repository_change_requests?state=READY')).body.data;
          const found = list.find((r: { render_id: string }) => r.render_id === renderId);
          assert.ok(found, `no change request for render ${renderId}`);
          return found;
        },
        { intervalMs: 25, message: `the change request of render ${renderId}` },
      );
    };
    const accept = async (rcr: { id: string; etag: string }, key: string) => {
      const res = await h.request('POST', `/v1/repository_change_requests/${rcr.id}:accept`, {
        headers: { 'if-match': rcr.etag, 'idempotency-key': key },
      });
      assert.equal(res.status, 200, res.text);
      return res.body;
    };

    const firstRender = (await h.request('GET', `/v1/installs/${installId}/renders`)).body.data[0];
    const firstReview = await reviewOf(firstRender.id);
    const pending = (await h.request('GET', `/v1/operations/${created.body.id}`)).body;
    assert.equal(pending.done, false, 'install.create waits for the review');
    const firstAccept = await accept(firstReview, 'acc-first');
    assert.equal(firstAccept.operation_id, created.body.id, "the render's own operation reports the merge");
    assert.equal((await waitOperation(h, created.body.id)).state, 'SUCCEEDED');
    const inst = (await h.request('GET', `/v1/installs/${installId}`)).body;
    assert.equal(inst.state, 'healthy');
    assert.equal(inst.require_review, true);

    const unchanged = await render(h, installId, {});
    assert.equal(unchanged.state, 'skipped', 'an unchanged render needs no review');
    const res = await h.request('POST', `/v1/installs/${installId}/renders`, {
      body: { message: 'Annotate', extra_annotations: { owner: 'team-a' } },
    });
    assert.equal(res.status, 201);
    const review = await reviewOf(res.body.id);
    assert.equal(
      (await h.request('GET', `/v1/installs/${installId}/renders/${res.body.id}`)).body.state,
      'running',
    );
    await accept(review, 'acc-review');
    await waitOperation(h, res.body.operation_id);
    const deployed = (await h.request('GET', `/v1/installs/${installId}/renders/${res.body.id}`)).body;
    assert.equal(deployed.state, 'deployed');
    assert.equal(deployed.repository_change_request_id, review.id);
    assert.equal(
      (await h.request('GET', `/v1/repository_change_requests/${review.id}`)).body.state,
      'ACCEPTED',
    );
  });
});
